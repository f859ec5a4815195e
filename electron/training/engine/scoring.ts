// The finished model's class probabilities for the validation and test images. From the cached
// embeddings when the base never changed (feature extraction without augmentation); otherwise every
// image goes through the whole network once, on this thread and on the threads the run may use:
// fine-tuning's shard threads, still up, each take a copy of the fine-tuned base, else fresh
// threads start where the pass is long enough to pay for them. Images whose frozen-prefix output
// the embedding pass kept (prefix-rows.ts) go through the fine-tuned blocks only, on this thread.
// A batch's features are the same bits on any thread and either path (each image on its own), so
// the scores do not depend on how many threads there were.
import * as tf from '@tensorflow/tfjs';
import type { Embeddings } from './embeddings.js';
import { computeEmbeddings } from './embeddings.js';
import { embedHelpers, warmHelpers } from './embedding-threads.js';
import { predictAll, type Predictions } from './results.js';
import { rows, type RunSetup } from './strategies.js';

export interface Scored { val: Predictions; test: Predictions }

type Progress = (done: number, total: number) => void;

export async function scoreFinishedModel(setup: RunSetup, embeddings: Embeddings | null, signal: AbortSignal, onProgress: Progress): Promise<Scored> {
  const { split, data, head } = setup;
  const total = split.val.length + split.test.length;
  let features = embeddings;
  let position: Map<number, number> | undefined;
  if (!features) {
    const scored = await wholeNetworkFeatures(setup, [...split.val, ...split.test], signal, onProgress);
    features = scored.features;
    // Validation and test images are disjoint: one row each.
    position = new Map(Array.from(scored.order, (image, k) => [image, k] as [number, number]));
  }
  const rowsOf = features;
  // The head alone: a small matrix product per batch.
  const predict = (idx: Int32Array) => tf.tidy(() => head.apply(rows(rowsOf, idx, position)));
  const numClasses = data.classes.length;
  const report = position ? undefined : onProgress;
  return {
    val: await predictAll(split.val, numClasses, predict, { signal, onProgress: report && ((d) => report(d, total)) }),
    test: await predictAll(split.test, numClasses, predict, { signal, onProgress: report && ((d) => report(split.val.length + d, total)) }),
  };
}

/** Features of `images` through the whole (fine-tuned) base, row k for image order[k]. */
async function wholeNetworkFeatures(setup: RunSetup, images: number[], signal: AbortSignal, onProgress: Progress): Promise<{ features: Embeddings; order: Int32Array }> {
  const { backbone, data } = setup;
  const model = backbone.model;
  const allowance = setup.threads ?? { now: 1 };
  const idle = setup.idleThreads?.splice(0) ?? [];
  const warm = model != null && idle.length > 0 && tf.getBackend() === 'wasm';
  const helpers = warm ? warmHelpers(model, idle, allowance) : embedHelpers(model, setup.baseThreads, allowance, tf.getBackend());
  try {
    // Warm threads build their copy in a fraction of a second: they take the first batches.
    if (warm) await helpers.startNow();
    // Images whose prefix output was kept go last: this thread takes its batches from the end.
    const kept = setup.prefixRows;
    const reused = kept ? images.filter((i) => kept.has(i)) : [];
    const order = Int32Array.from(reused.length > 0 ? [...images.filter((i) => !kept!.has(i)), ...reused] : images);
    if (reused.length > 0) setup.notes.push(`${reused.length} of the ${images.length} validation and test images went through the fine-tuned blocks only: the frozen blocks' output for them was kept from the embedding pass (it cannot change).`);
    const prefix = kept && reused.length > 0 ? { rows: kept, mode: 'use' as const } : undefined;
    return { features: await computeEmbeddings(backbone, data, { indices: order, signal, onProgress, helpers, prefix }), order };
  } finally {
    setup.prefixRows = undefined;
    if (helpers.used.size > 0) setup.notes.push(`${helpers.used.size + 1} threads scored the validation and test images (the same scores as one thread: each batch on its own).`);
    helpers.close();
    idle.forEach((l) => l.close());
  }
}
