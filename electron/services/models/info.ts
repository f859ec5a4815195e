// A backbone as the Train form shows it: its facts (from the worker) with its name, description,
// licence and card (from the sidecar the app wrote, or the model's own card).
import type { BackboneInfo } from '../../contract/index.js';
import type { BackboneSource } from '../../models/backbone-dirs.js';
import { parseCard } from '../../models/card.js';
import type { BackboneFacts } from '../../models/facts.js';
import type { BackboneSidecar } from '../../models/sidecar.js';

export interface InfoParts { id: string; source: BackboneSource; facts: BackboneFacts; sidecar: BackboneSidecar | null; card: string | null }

export function backboneInfo({ id, source, facts, sidecar, card }: InfoParts): BackboneInfo {
  const fromCard = card ? parseCard(card) : {};
  const base = sidecar?.description ?? fromCard.description ?? `${facts.format} model, input ${facts.inputShape.join('×')}, ${facts.featureSize} features.`;
  const graphNote = facts.canFineTune || /frozen feature extractor only/.test(base) ? '' : ' Graph model: usable as a frozen feature extractor only (feature extraction), not for fine-tuning.';
  return {
    id,
    name: sidecar?.name ?? fromCard.name ?? id,
    source,
    format: facts.format,
    canFineTune: facts.canFineTune,
    inputShape: facts.inputShape,
    available: true,
    sizeBytes: facts.sizeBytes,
    totalParams: facts.totalParams,
    blockParams: facts.canFineTune ? facts.blockParams : [],
    headParamsPerClass: facts.featureSize + 1,
    description: base + graphNote,
    license: sidecar?.license ?? fromCard.license ?? 'unknown (see the model\'s origin)',
    ...(card ? { card } : {}),
  };
}
