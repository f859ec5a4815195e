// A cap on the tensor memory a run may use, for hosts whose device memory is small and shared
// (a window's GPU): checked once before training, from the weights already resident, the optimiser's
// slots and a measured forward pass of one batch, and again after every batch.
import * as tf from '@tensorflow/tfjs';
import { extractFeatures } from './embeddings.js';
import { frozenLayerNames } from './graph.js';
import { inputBatch } from './images.js';
import { mb, MemoryCapError } from './memory-cap-error.js';
import type { RunSetup } from './strategies.js';

/** Values an optimiser keeps per trainable weight (Adam: two moments; RMSProp: mean square and
 *  momentum; SGD: momentum), plus one for the gradient itself. */
const SLOTS: Record<RunSetup['config']['optimizer'], number> = { adam: 2 + 1, rmsprop: 2 + 1, sgd: 1 + 1 };
/** Feature extraction without augmentation embeds images in batches of this many (embeddings.ts). */
const EMBED_BATCH = 128;


function trainableParams(setup: RunSetup): number {
  const { backbone, config, head } = setup;
  const count = (layers: tf.layers.Layer[]) => layers.reduce((n, l) => n + l.weights.reduce((m, w) => m + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0), 0);
  let n = count(head.layers);
  if (config.strategy === 'fine-tuning' && backbone.model) {
    const frozen = frozenLayerNames(backbone.model, backbone.blocks, config.unfreezeBlocks);
    n += count(backbone.model.layers.filter((l) => !frozen.has(l.name)));
  }
  return n;
}

/** Peak bytes one forward pass of `n` images through the base adds (measured, not guessed). */
async function forwardPeakBytes(setup: RunSetup, n: number): Promise<number> {
  const { backbone, data, split } = setup;
  const idx = split.train.subarray(0, Math.min(n, split.train.length));
  const before = tf.memory().numBytes;
  const info = await tf.profile(() => {
    tf.tidy(() => { extractFeatures(backbone, inputBatch(data, idx, backbone)); });
  });
  return Math.max(0, info.peakBytes - before);
}

/** Bytes the run needs at its peak: weights now resident, optimiser slots, one batch's activations
 *  (kept for the backward pass when the base trains, so counted twice there). */
export async function estimateTrainingBytes(setup: RunSetup): Promise<{ bytes: number; batch: number }> {
  const { config } = setup;
  const ft = config.strategy === 'fine-tuning';
  const batch = ft || config.augment ? config.batchSize : Math.max(config.batchSize, EMBED_BATCH);
  const resident = tf.memory().numBytes;
  const slots = trainableParams(setup) * 4 * SLOTS[config.optimizer];
  const activations = await forwardPeakBytes(setup, batch) * (ft ? 2 : 1);
  return { bytes: resident + slots + activations, batch: config.batchSize };
}

/** Refuses a run whose estimate passes `capBytes`, saying what would fit. */
export async function checkTrainingFits(setup: RunSetup, capBytes: number): Promise<void> {
  const { bytes, batch } = await estimateTrainingBytes(setup);
  if (bytes > capBytes) {
    throw new MemoryCapError(`the model and a batch of ${batch} need ~${mb(bytes)} MB of GPU memory; the cap is ${mb(capBytes)} MB — choose a smaller batch (or a smaller backbone).`);
  }
}
