// Test support for the engine's tests: the real parts (ladder, shipped data, augmentation) with a
// freshly built tl-resnet as backbone (seeded, so every test starts from the same weights), and a
// recorder for the messages a run emits. Runs train on a cut-down copy of the shipped targets (same
// format and loader, a fixed test pool of 100 instead of thousands), so each run stays quick.
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { IMAGES_FILE, LABELS_FILE, META_FILE, ShippedMeta } from '../../../datasets/shipped-format.js';
import type { TrainConfig } from '../../../contract/index.js';
import { buildTlResnet, tlResnetBlocks, TL_RESNET_FEATURES, TL_RESNET_INPUT } from '../../backbones/tl-resnet.js';
import type { FromWorker, WorkerEnv } from '../../../worker-protocol/messages.js';
import type { LoadedBackbone } from '../../types.js';
import { defaultConfig } from '../../../contract/budget.js';
import type { EngineDeps } from '../deps.js';
import { realEngineDeps } from '../parts.js';

export const resourcesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../resources');

/** Per shipped target: images per class kept from its pool and from its fixed test pool. */
const SMALL: Record<string, [number, number]> = { 'fashion-target': [40, 20], digits: [30, 10] };
let small: string | null = null;

/**
 * A resources folder whose targets hold the first images of each class of the real ones (pool, then
 * test pool), written in the shipped format; models and the source set are the real folders.
 */
export function smallResourcesDir(): string {
  if (small) return small;
  const dir = mkdtempSync(path.join(tmpdir(), 'tl-resources-'));
  mkdirSync(path.join(dir, 'datasets'));
  symlinkSync(path.join(resourcesDir, 'models'), path.join(dir, 'models'));
  symlinkSync(path.join(resourcesDir, 'datasets', 'fashion-source'), path.join(dir, 'datasets', 'fashion-source'));
  for (const [id, [poolPer, testPer]] of Object.entries(SMALL)) {
    const from = path.join(resourcesDir, 'datasets', id);
    const meta = ShippedMeta.parse(JSON.parse(readFileSync(path.join(from, META_FILE), 'utf8')));
    const pixels = gunzipSync(readFileSync(path.join(from, IMAGES_FILE)));
    const labels = readFileSync(path.join(from, LABELS_FILE));
    const size = meta.imageSize.reduce((a, b) => a * b, 1);
    const poolSize = meta.counts.reduce((a, b) => a + b, 0);
    const pick = (start: number, end: number, per: number) => {
      const taken = new Array<number>(meta.classes.length).fill(0);
      const out: number[] = [];
      for (let i = start; i < end; i++) if (taken[labels[i]]++ < per) out.push(i);
      return out;
    };
    const chosen = [...pick(0, poolSize, poolPer), ...pick(poolSize, labels.length, testPer)];
    const to = path.join(dir, 'datasets', id);
    mkdirSync(to);
    writeFileSync(path.join(to, IMAGES_FILE), gzipSync(Buffer.concat(chosen.map((i) => pixels.subarray(i * size, (i + 1) * size)))));
    writeFileSync(path.join(to, LABELS_FILE), Uint8Array.from(chosen, (i) => labels[i]));
    const counts = meta.classes.map(() => poolPer);
    writeFileSync(path.join(to, META_FILE), JSON.stringify({ ...meta, counts, testCounts: meta.classes.map(() => testPer) } satisfies ShippedMeta));
  }
  small = dir;
  return dir;
}

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
