import { describe, expect, it } from 'vitest';
import type { BackboneFacts } from '../../models/facts.js';
import { backboneInfo } from './info.js';

const facts: BackboneFacts = {
  format: 'layers', family: 'tl-resnet', inputShape: [28, 28, 1], featureSize: 64, totalParams: 77_776,
  blockParams: [176, 4672, 14528, 57728], canFineTune: true, preprocess: 'unit', layers: 30, sizeBytes: 326_837, fingerprint: 'a'.repeat(64),
};
const CARD = '# tl-resnet-s — test\n\nA **small** test `base`.\n\n## License\nMIT, ours.\n';

describe('backboneInfo', () => {
  it('takes name, description and licence from the model card, sizes from the facts', () => {
    expect(backboneInfo({ id: 'tl-resnet-s', source: 'shipped', facts, sidecar: null, card: CARD })).toEqual({
      id: 'tl-resnet-s', name: 'tl-resnet-s — test', source: 'shipped', format: 'layers', canFineTune: true, inputShape: [28, 28, 1],
      available: true, sizeBytes: 326_837, totalParams: 77_776, blockParams: [176, 4672, 14528, 57728], headParamsPerClass: 65,
      description: 'A small test base.', license: 'MIT, ours.', card: CARD,
    });
  });

  it('prefers the sidecar the app wrote, and says a graph model cannot be fine-tuned', () => {
    const graph: BackboneFacts = { ...facts, format: 'graph', family: 'graph', canFineTune: false, blockParams: [], featureSize: 3, layers: 0 };
    const sidecar = { name: 'Mine', description: 'Imported from /x.', license: 'unknown', origin: '/x' };
    expect(backboneInfo({ id: 'imported-mine', source: 'imported', facts: graph, sidecar, card: null })).toMatchObject({
      name: 'Mine', license: 'unknown', blockParams: [], headParamsPerClass: 4,
      description: 'Imported from /x. Graph model: usable as a frozen feature extractor only (feature extraction), not for fine-tuning.',
    });
    expect(backboneInfo({ id: 'bare', source: 'imported', facts, sidecar: null, card: null })).toMatchObject({
      name: 'bare', description: 'layers model, input 28×28×1, 64 features.', license: 'unknown (see the model\'s origin)',
    });
  });
});
