// The decision flowchart's questions answered with measurements: how many images, how balanced,
// how similar the data is to what the backbone knows (k-NN on its frozen embeddings vs. chance),
// and how much compute this machine has (a timed forward pass).
import * as tf from '@tensorflow/tfjs';
import type { z } from 'zod';
import type { DatasetRef, FlowchartAnalysis } from '../../contract/index.js';
import type { WorkerEnv } from '../../worker-protocol/messages.js';
import type { EngineDeps } from './deps.js';
import { computeEmbeddings, extractFeatures } from './embeddings.js';
import { inputBatch } from './images.js';
import { knnAccuracy } from './knn.js';
import { createRng, shuffleInPlace } from '../../datasets/prng.js';
import { disposeBackbone } from './run-setup.js';

export const PROBE_IMAGES = 500;
const ANALYSIS_SEED = 1;
const AMPLE_IMAGES_PER_SEC = 2000;

/** Up to `limit` images, the same number from every class where possible, drawn by seed. */
export function balancedSubset(labels: Int32Array, classCount: number, limit: number, seed: number): Int32Array {
  const perClass = Math.max(2, Math.floor(limit / Math.max(1, classCount)));
  const byClass: number[][] = Array.from({ length: classCount }, () => []);
  shuffleInPlace(Int32Array.from(labels.keys()), createRng(seed)).forEach((i) => { if (byClass[labels[i]].length < perClass) byClass[labels[i]].push(i); });
  return Int32Array.from(byClass.flat().sort((a, b) => a - b));
}

export function similarityOf(probe: number): FlowchartAnalysis['similarity'] {
  return probe >= 0.85 ? 'very-similar' : probe >= 0.6 ? 'somewhat-similar' : 'very-different';
}

export async function analyzeDataset(dataset: z.output<typeof DatasetRef>, backboneId: string, env: WorkerEnv, deps: EngineDeps): Promise<FlowchartAnalysis> {
  const selection = await deps.selectBackend(env.backend);
  const backbone = await deps.loadBackbone(backboneId, env);
  try {
    const data = await deps.dataSource(env).load(dataset, { targetShape: backbone.inputShape, seed: ANALYSIS_SEED });
    const classCount = data.classes.length;
    if (data.labels.length === 0) throw new Error(`The data set "${dataset.id}" has no images.`);
    // A shipped target's fixed test pool is for scoring runs only: the questions are about the
    // images a student trains on.
    const held = new Uint8Array(data.labels.length);
    for (const i of data.fixedTest ?? []) held[i] = 1;
    const pool = Int32Array.from(data.labels.keys()).filter((i) => !held[i]);
    const poolLabels = Int32Array.from(pool, (i) => data.labels[i]);
    const counts = new Array<number>(classCount).fill(0);
    for (const l of poolLabels) counts[l]++;
    const subset = balancedSubset(poolLabels, classCount, PROBE_IMAGES, ANALYSIS_SEED).map((k) => pool[k]);

    // Warm up once (first calls compile kernels), then time the forward pass on the subset.
    tf.tidy(() => extractFeatures(backbone, inputBatch(data, subset.subarray(0, Math.min(8, subset.length)), backbone))).dispose();
    const t0 = performance.now();
    const emb = await computeEmbeddings(backbone, data, { indices: subset, batchSize: 64 });
    const seconds = (performance.now() - t0) / 1000;
    const imagesPerSec = seconds > 0 ? subset.length / seconds : 0;

    const labels = Int32Array.from(subset, (i) => data.labels[i]);
    const probeAccuracy = knnAccuracy(emb.features, emb.dim, labels, 5);
    const subsetCounts = new Array<number>(classCount).fill(0);
    for (const l of labels) subsetCounts[l]++;
    const chanceAccuracy = Math.max(...subsetCounts) / Math.max(1, labels.length);
    const similarity = similarityOf(probeAccuracy);
    const compute = selection.rung === 'tfjs-node-gpu' || imagesPerSec >= AMPLE_IMAGES_PER_SEC ? 'ample' : 'limited';
    const pct = (x: number) => `${Math.round(x * 100)}%`;
    const explanation = [
      `${pool.length} images in ${classCount} classes (${Math.min(...counts)} to ${Math.max(...counts)} per class).`,
      `Without any training, grouping ${labels.length} images by their nearest neighbours in the backbone's features gets ${pct(probeAccuracy)} right, against ${pct(chanceAccuracy)} by guessing.`,
      similarity === 'very-similar'
        ? 'The backbone already tells these classes apart well: the data looks very similar to what it learned, so feature extraction is often enough.'
        : similarity === 'somewhat-similar'
          ? 'The backbone separates these classes partly: the data is somewhat similar to what it learned; feature extraction is a fair start and fine-tuning may add accuracy.'
          : 'The backbone\'s features barely separate these classes: the data is very different from what it learned, so fine-tuning usually does better.',
      `A forward pass ran at ${Math.round(imagesPerSec)} images/s on ${selection.rung} (${selection.device}): compute is ${compute}${compute === 'limited' ? ', which favours feature extraction' : ', enough for fine-tuning'}.`,
    ];
    return {
      imageCount: pool.length, classCount, minPerClass: Math.min(...counts), maxPerClass: Math.max(...counts),
      similarity, probeAccuracy, chanceAccuracy, compute, rung: selection.rung, imagesPerSec, explanation,
    };
  } finally {
    disposeBackbone(backbone);
  }
}
