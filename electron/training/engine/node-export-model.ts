// Exporting a run's trained model (worker process only: it reads and copies the run's files): copy the saved layers folder (base + one Dense head, the
// standardisation folded in, preprocessing named in its metadata), reload it from the copy and
// re-score the run's validation images, proving the exported file predicts what the run did.
import * as tf from '@tensorflow/tfjs';
import { cp, mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Parity, TrainConfig } from '../../contract/index.js';
import type { WorkerEnv } from '../../worker-protocol/messages.js';
import type { EngineDeps } from './deps.js';
import { inputBatch } from './images.js';
import { loadLayersModelFromDir } from '../backbones/model-io.js';
import { comparePredictions, predictAll } from './results.js';
import { disposeBackbone } from './run-setup.js';
import { runModelDir } from '../../files/run-model-files.js';

async function savedPredictions(runDir: string, expected: number): Promise<Float32Array> {
  const buf = await readFile(path.join(runDir, 'val-predictions.bin')).catch(() => null);
  if (!buf) throw new Error('The run\'s validation predictions are missing, so parity cannot be checked.');
  if (buf.byteLength !== expected * 4) throw new Error(`The run's validation predictions hold ${buf.byteLength / 4} values, expected ${expected}: the data set or split changed since the run.`);
  const out = new Float32Array(expected);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

export async function exportRunModel(
  runId: string, config: TrainConfig, outDir: string, env: WorkerEnv, deps: EngineDeps,
): Promise<{ path: string; parity: Parity }> {
  const source = runModelDir(env.dataDir, runId);
  if (!(await stat(path.join(source, 'model.json')).catch(() => null))) throw new Error(`Run ${runId} has no saved model (looked in ${source}).`);
  const target = path.resolve(outDir);
  if (target === path.resolve(source)) throw new Error('Choose an export folder other than the run\'s own model folder.');
  await mkdir(target, { recursive: true });
  await cp(source, target, { recursive: true });

  await deps.selectBackend(config.backend === 'auto' ? env.backend : config.backend);
  const startTensors = tf.memory().numTensors;
  const backbone = await deps.loadBackbone(config.backboneId, env);
  let model: tf.LayersModel | null = null;
  try {
    model = await loadLayersModelFromDir(target);
    const data = await deps.dataSource(env).load(config.dataset, { targetShape: backbone.inputShape, seed: config.seed });
    const split = deps.split(data, config.validationSplit, config.seed);
    const numClasses = data.classes.length;
    const original = await savedPredictions(path.dirname(source), split.val.length * numClasses);
    const reloaded = await predictAll(split.val, numClasses, (idx) => tf.tidy(() => model!.predict(inputBatch(data, idx, backbone)) as tf.Tensor2D));
    const labels = Int32Array.from(split.val, (i) => data.labels[i]);
    const before = { probs: original, numClasses, predicted: argmaxRows(original, numClasses) };
    return { path: target, parity: comparePredictions(before, reloaded, labels) };
  } finally {
    model?.dispose();
    disposeBackbone(backbone);
    const leaked = tf.memory().numTensors - startTensors;
    if (leaked > 0) process.emitWarning(`Model export left ${leaked} tensors allocated.`);
  }
}

function argmaxRows(probs: Float32Array, k: number): Int32Array {
  const out = new Int32Array(probs.length / k);
  for (let i = 0; i < out.length; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[i * k + c] > probs[i * k + best]) best = c;
    out[i] = best;
  }
  return out;
}
