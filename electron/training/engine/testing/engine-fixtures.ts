// Test support for the engine's tests: the real parts (ladder, shipped data, augmentation) with a
// freshly built tl-resnet as backbone (seeded, so every test starts from the same weights), and a
// recorder for the messages a run emits. Runs train on a cut-down copy of the shipped targets (same
// format and loader, a fixed test pool of 100 instead of thousands), so each run stays quick.
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { shippedResourcesDir, smallResourcesDir } from '../../../datasets/testing/small-resources.js';
import type { TrainConfig } from '../../../contract/index.js';
import { buildTlResnet, tlResnetBlocks, TL_RESNET_FEATURES, TL_RESNET_INPUT } from '../../backbones/tl-resnet.js';
import type { FromWorker, WorkerEnv } from '../../../worker-protocol/messages.js';
import type { LoadedBackbone } from '../../types.js';
import { defaultConfig } from '../../../contract/budget.js';
import type { EngineDeps } from '../deps.js';
import { realEngineDeps } from '../parts.js';

export const resourcesDir = shippedResourcesDir;
export { smallResourcesDir };

export function testEnv(): WorkerEnv {
  return { resourcesDir: smallResourcesDir(), dataDir: mkdtempSync(path.join(tmpdir(), 'tl-engine-')), backend: 'wasm' };
}

/** Every weight of a model by "layer/weight" name, copied out of the tensors. */
export function weightValues(layers: tf.layers.Layer[]): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const layer of layers) for (const w of layer.weights) out.set(`${layer.name}/${w.originalName.split('/').pop()}`, Float32Array.from(w.read().dataSync() as Float32Array));
  return out;
}

export function freshBackbone(seed = 7): LoadedBackbone {
  const model = buildTlResnet({ seed });
  return {
    id: 'tl-resnet-s', format: 'layers', inputShape: TL_RESNET_INPUT, featureSize: TL_RESNET_FEATURES,
    model, blocks: tlResnetBlocks(model), preprocess: (x) => x,
  };
}

/** Real deps; the backbone is built fresh and its initial weights are kept for comparisons. */
export function testDeps(): { deps: EngineDeps; initial: () => Map<string, Float32Array> } {
  let initial = new Map<string, Float32Array>();
  const deps: EngineDeps = {
    ...realEngineDeps(),
    loadBackbone: async () => {
      const b = freshBackbone();
      // Give the BN layers non-trivial moving statistics, as a pretrained base has.
      tf.tidy(() => { b.model!.apply(tf.randomUniform([16, 28, 28, 1], 0, 1, 'float32', 3), { training: true }); });
      initial = weightValues(b.model!.layers);
      return b;
    },
  };
  return { deps, initial: () => initial };
}

export function tinyConfig(over: Partial<TrainConfig> = {}): TrainConfig {
  return {
    ...defaultConfig(over.strategy ?? 'feature-extraction', 40),
    dataset: { id: 'fashion-target', perClass: 8 },
    epochs: 2, batchSize: 8, validationSplit: 0.25, seed: 11, backend: 'wasm',
    earlyStopping: { enabled: false, patience: 3 },
    ...over,
  };
}

export class Messages {
  readonly all: FromWorker[] = [];
  readonly emit = (m: FromWorker) => { this.all.push(m); };
  of<T extends FromWorker['type']>(type: T): Extract<FromWorker, { type: T }>[] {
    return this.all.filter((m): m is Extract<FromWorker, { type: T }> => m.type === type);
  }
}
