// How many parameters a run trains and roughly how much memory it needs, computed live from the
// backbone's description so the unfreeze slider can show the cost of every extra block.
import type { BackboneInfo, Strategy, TrainConfig } from '../../../electron/contract/index.js';

export type Unfreeze = TrainConfig['unfreezeBlocks'];
type Optimizer = TrainConfig['optimizer'];

const BYTES_PER_FLOAT = 4;

/** Parameters in the blocks the slider counts, and the rest ("stem": layers below the first block). */
function blockSum(b: BackboneInfo): number {
  return b.blockParams.reduce((a, n) => a + n, 0);
}

/**
 * The slider's stops: 0 … number of blocks, plus 'all' when the backbone has parameters outside its
 * blocks (the stem), since unfreezing every block then still leaves the stem frozen.
 */
export function unfreezeSteps(b: BackboneInfo): Unfreeze[] {
  const steps: Unfreeze[] = Array.from({ length: b.blockParams.length + 1 }, (_, i) => i);
  if (b.totalParams > blockSum(b)) steps.push('all');
  return steps;
}

export function headParams(b: BackboneInfo, classes: number): number {
  return b.headParamsPerClass * Math.max(0, classes);
}

/** Backbone parameters that train when the top `unfreeze` blocks (or all layers) are unfrozen. */
export function unfrozenBackboneParams(b: BackboneInfo, unfreeze: Unfreeze): number {
  if (unfreeze === 'all') return b.totalParams;
  const n = Math.max(0, Math.min(unfreeze, b.blockParams.length));
  return b.blockParams.slice(b.blockParams.length - n).reduce((a, p) => a + p, 0);
}

export interface ParamCounts {
  trainable: number;
  frozen: number;
  head: number;
}

/** Feature extraction trains the head only; fine-tuning adds the unfrozen blocks from the top. */
export function paramCounts(b: BackboneInfo, strategy: Strategy, unfreeze: Unfreeze, classes: number): ParamCounts {
  const head = headParams(b, classes);
  const unfrozen = strategy === 'fine-tuning' ? unfrozenBackboneParams(b, unfreeze) : 0;
  return { trainable: unfrozen + head, frozen: b.totalParams - unfrozen, head };
}

/** Extra per-parameter state each optimizer keeps (tfjs): Adam m and v, RMSProp mean square and moment, SGD momentum. */
export const optimizerSlots: Record<Optimizer, number> = { adam: 2, rmsprop: 2, sgd: 1 };

/**
 * Rule of thumb for a CNN: summed over all layers, a forward pass keeps about this many floats of
 * activations per input pixel (a small ResNet at 28×28 ≈ 170, MobileNet v1 at 224×224 ≈ 100).
 */
const ACTIVATIONS_PER_PIXEL = 128;
/** A frozen part runs in inference mode and frees each layer's output once the next has used it. */
const INFERENCE_WORKING_SHARE = 1 / 8;

export interface MemoryInput {
  backbone: BackboneInfo;
  strategy: Strategy;
  unfreeze: Unfreeze;
  classes: number;
  batchSize: number;
  optimizer: Optimizer;
  /** Images whose embeddings feature extraction caches (training + validation). */
  images: number;
}

export interface MemoryEstimate {
  weights: number;
  gradients: number;
  optimizer: number;
  activations: number;
  embeddingCache: number;
  total: number;
}

/**
 * Estimated peak memory of a run, in bytes (float32 everywhere):
 *   weights     = (all backbone parameters + head) × 4
 *   gradients   = trainable parameters × 4               (one gradient per trainable weight)
 *   optimizer   = trainable parameters × slots × 4       (Adam keeps two moments per weight)
 *   activations = batch × activations per image × 4 × (share kept for backprop × 2 + inference working share)
 *                 — backprop keeps every activation of the unfrozen blocks plus a same-sized gradient;
 *                 the unfrozen share is counted by blocks, which overestimates (top blocks are small).
 *   embedding cache (feature extraction) = images × embedding size × 4,
 *                 where embedding size = head parameters per class − 1 (one bias per class).
 * It is an estimate to compare settings with, not a measurement: each run records its real peak.
 */
export function estimateMemory(m: MemoryInput): MemoryEstimate {
  const { backbone: b, strategy, batchSize } = m;
  const counts = paramCounts(b, strategy, m.unfreeze, m.classes);
  const weights = (b.totalParams + counts.head) * BYTES_PER_FLOAT;
  const gradients = counts.trainable * BYTES_PER_FLOAT;
  const optimizer = counts.trainable * optimizerSlots[m.optimizer] * BYTES_PER_FLOAT;
  const [h, w] = b.inputShape;
  const perImage = h * w * ACTIVATIONS_PER_PIXEL;
  const blocks = Math.max(1, b.blockParams.length);
  const kept = strategy === 'fine-tuning' ? (m.unfreeze === 'all' ? 1 : Math.min(m.unfreeze, blocks) / blocks) : 0;
  const activations = batchSize * perImage * BYTES_PER_FLOAT * (kept * 2 + INFERENCE_WORKING_SHARE);
  const embeddingSize = Math.max(0, b.headParamsPerClass - 1);
  const embeddingCache = strategy === 'feature-extraction' ? m.images * embeddingSize * BYTES_PER_FLOAT : 0;
  const total = weights + gradients + optimizer + activations + embeddingCache;
  return { weights, gradients, optimizer, activations, embeddingCache, total };
}
