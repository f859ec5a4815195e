// The bench's engine workloads end to end in their own child processes (real engine, real shipped
// data and backbones), on a few images: what comes back, not how fast.
import { describe, expect, it } from 'vitest';
import { runInChild } from './children.js';
import type { EngineResult, WorkloadSpec } from './spec.js';

const tiny = (over: Partial<WorkloadSpec>): WorkloadSpec => ({
  arch: 'tl-resnet-s', kind: 'forward', unfreeze: 2, datasetId: 'fashion-target', sizes: { train: 24, val: 8, test: 8 },
  batch: 8, headEpochs: 2, ftEpochs: 2, repeats: 1, backend: 'wasm', ...over,
});

async function ok(spec: WorkloadSpec): Promise<EngineResult> {
  const out = await runInChild(spec);
  if (!out.ok) throw new Error(out.error);
  return out.value;
}

describe('bench engine workloads', () => {
  it('fine-tuning: a real run, one timing per epoch, the fastest counted, peaks of its own process', async () => {
    const r = await ok(tiny({ kind: 'fine-tuning', unfreeze: 'all' }));
    expect(r.rung).toBe('wasm');
    expect(r.epochs).toHaveLength(2);
    expect(r.main.wallS).toBe(Math.min(...r.epochs!.map((e) => e.trainWallS)));
    for (const e of r.epochs!) expect(e.wallS).toBeGreaterThanOrEqual(e.trainWallS);
    expect(r.beforeFirstEpochS).toBeGreaterThanOrEqual(0);
    expect(r.phases!.map((p) => p.phase)).toEqual(expect.arrayContaining(['caching-embeddings', 'fine-tuning', 'evaluating']));
    expect(r.peak.tensorBytes).toBeGreaterThan(0);
    expect(r.peak.rssBytes).toBeGreaterThan(r.peak.tensorBytes);
  }, 120_000);

  it('feature extraction: the whole run and one forward pass over all its images in paired rounds, a repeated run not served from the memory cache', async () => {
    const r = await ok(tiny({ kind: 'feature-extraction', repeats: 2 }));
    expect(r.embeddingCache).toEqual(['disk', 'disk']);
    expect(r.cachedRounds).toHaveLength(2);
    // The shown pair is one of the rounds (with 2, the lower ratio's).
    expect(r.cachedRounds).toContainEqual({ run: r.main, forward: r.forwardAll });
    expect(r.forwardAll!.wallS).toBeGreaterThan(0);
    expect(r.main.wallS).toBeGreaterThan(0);
    expect(r.phases!.map((p) => p.phase)).toEqual(expect.arrayContaining(['caching-embeddings', 'training-head', 'evaluating']));
  }, 120_000);

  it('forward: MobileNet v1 0.25 at 224 px from the data folder, as a downloaded model loads', async () => {
    const r = await ok(tiny({ arch: 'mobilenet-v1-0.25-224', sizes: { train: 4, val: 2, test: 2 } }));
    expect(r.main.wallS).toBeGreaterThan(0);
    // 4 images of 224×224×3 float32 at least passed through.
    expect(r.peak.tensorBytes).toBeGreaterThan(4 * 224 * 224 * 3 * 4);
  }, 120_000);

  it('says why when the workload cannot run', async () => {
    const out = await runInChild(tiny({ datasetId: 'no-such-set' }));
    expect(out.ok).toBe(false);
    expect(!out.ok && out.error).toMatch(/no-such-set/);
  }, 120_000);
});
