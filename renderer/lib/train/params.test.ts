import { describe, expect, it } from 'vitest';
import { shippedResnet } from './testing/train-fixtures.js';
import { estimateMemory, paramCounts, unfreezeSteps } from './params.js';

describe('paramCounts', () => {
  it('sums blocks from the top and adds the head (per class × classes)', () => {
    expect(paramCounts(shippedResnet, 'fine-tuning', 0, 4)).toEqual({ trainable: 260, frozen: 7_500, head: 260 });
    expect(paramCounts(shippedResnet, 'fine-tuning', 1, 4)).toEqual({ trainable: 4_260, frozen: 3_500, head: 260 });
    expect(paramCounts(shippedResnet, 'fine-tuning', 2, 4)).toEqual({ trainable: 6_260, frozen: 1_500, head: 260 });
    expect(paramCounts(shippedResnet, 'fine-tuning', 'all', 4)).toEqual({ trainable: 7_760, frozen: 0, head: 260 });
  });
  it('trains only the head for feature extraction', () => {
    expect(paramCounts(shippedResnet, 'feature-extraction', 3, 10).trainable).toBe(650);
  });
  it('offers "all" only when parameters sit outside the blocks', () => {
    expect(unfreezeSteps(shippedResnet)).toEqual([0, 1, 2, 3, 'all']);
    expect(unfreezeSteps({ ...shippedResnet, totalParams: 7_000 })).toEqual([0, 1, 2, 3]);
  });
});

describe('estimateMemory', () => {
  const input = { backbone: shippedResnet, classes: 4, batchSize: 32, optimizer: 'adam' as const, images: 1000 };
  it('counts weights, gradients and two Adam slots per trainable parameter', () => {
    const m = estimateMemory({ ...input, strategy: 'fine-tuning', unfreeze: 1 });
    expect(m.weights).toBe((7_500 + 260) * 4);
    expect(m.gradients).toBe(4_260 * 4);
    expect(m.optimizer).toBe(4_260 * 2 * 4);
    expect(m.total).toBe(m.weights + m.gradients + m.optimizer + m.activations + m.embeddingCache);
  });
  it('grows with unfrozen blocks and with the batch', () => {
    const one = estimateMemory({ ...input, strategy: 'fine-tuning', unfreeze: 1 });
    const three = estimateMemory({ ...input, strategy: 'fine-tuning', unfreeze: 3 });
    const bigger = estimateMemory({ ...input, batchSize: 64, strategy: 'fine-tuning', unfreeze: 1 });
    expect(three.total).toBeGreaterThan(one.total);
    expect(bigger.activations).toBeCloseTo(one.activations * 2);
  });
  it('caches embeddings for feature extraction (embedding size = head per class − 1)', () => {
    const m = estimateMemory({ ...input, strategy: 'feature-extraction', unfreeze: 0 });
    expect(m.embeddingCache).toBe(1000 * 64 * 4);
    expect(m.gradients).toBe(260 * 4);
  });
});
