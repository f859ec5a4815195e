// Data-parallel fine-tuning on real worker threads (each its own wasm backend and replica), against
// the loop's own single-thread step on the same tl-resnet and the same batches.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DataParallelStep, ShardNet, shardCount, shardSizes, type ReplicaSpec, type ShardLink } from '../engine/data-parallel.js';
import { frozenLayerNames } from '../engine/graph.js';
import { createHead, createOptimizer } from '../engine/head.js';
import { lossOf } from '../engine/loss.js';
import { prepareFineTuning } from '../engine/strategies.js';
import { freshBackbone } from '../engine/testing/engine-fixtures.js';
import { initWasmBackend } from '../kernels/wasm-setup.js';
import { nodeShardThreads } from './thread-links.js';

const BATCH = 64;
const STEPS = 3;
const CLASSES = 5;

interface Fixture { net: ShardNet; spec: ReplicaSpec; optimizer: tf.Optimizer; batches: { x: tf.Tensor; labels: Int32Array }[]; dispose(): void }

/** The top two blocks of a seeded tl-resnet and a head, with the same seeded batches every time. */
function fixture(suffixTraining: boolean, makeOptimizer?: () => tf.Optimizer): Fixture {
  const backbone = freshBackbone(7);
  const model = backbone.model!;
  const split = prepareFineTuning(backbone, frozenLayerNames(model, backbone.blocks, 2));
  const head = createHead(64, CLASSES, 11);
  const features = tf.tidy(() => split.suffix!.apply(tf.randomUniform([64, ...split.suffix!.inputs[0].shape.slice(1) as number[]], 0, 1, 'float32', 5), { training: false }) as tf.Tensor);
  head.fitStandardization(features.dataSync() as Float32Array, 64);
  features.dispose();
  const shape = split.suffix!.inputs[0].shape.slice(1) as number[];
  const batches = Array.from({ length: STEPS }, (_, s) => ({
    x: tf.randomUniform([BATCH, ...shape], 0, 2, 'float32', 100 + s),
    labels: Int32Array.from({ length: BATCH }, (_, i) => (i * 7 + s) % CLASSES),
  }));
  const net = new ShardNet(split.suffix!, head, suffixTraining);
  const spec: ReplicaSpec = { suffixTopology: split.suffix!.toJSON(null, false) as unknown as Record<string, unknown>, suffixTraining, head: { featureSize: 64, numClasses: CLASSES, seed: 11 } };
  // Plain SGD: an update proportional to the gradient, so a wrongly weighted average shows (Adam would hide a scale).
  const optimizer = makeOptimizer?.() ?? tf.train.sgd(0.05);
  return {
    net, spec, optimizer, batches,
    dispose: () => {
      optimizer.dispose();
      tf.dispose(batches.map((b) => b.x));
      model.layers.forEach((l) => l.dispose());
      head.layers.forEach((l) => l.dispose());
    },
  };
}

/** The loop's own step: optimizer.minimize over the whole batch on this thread. */
function unshardedSteps(f: Fixture): number[] {
  return f.batches.map(({ x, labels }) => {
    const loss = f.optimizer.minimize(() => lossOf(f.net.forward(x), labels, CLASSES), true, f.net.trainable)!;
    const v = loss.dataSync()[0];
    loss.dispose();
    return v;
  });
}

/** `shards` shards per batch, computed here and on `links`' threads. */
async function shardedSteps(f: Fixture, links: ShardLink[], shards: number): Promise<number[]> {
  const step = new DataParallelStep(f.net, links, f.optimizer, shards);
  try {
    const out: number[] = [];
    for (const { x, labels } of f.batches) out.push((await step.step(x, labels)).loss);
    return out;
  } finally {
    step.close();
  }
}

const threads = (f: Fixture, n: number) => nodeShardThreads(n, f.spec, f.net.values('all'));

const maxAbsDiff = (a: Float32Array[], b: Float32Array[]) => Math.max(...a.map((x, i) => Math.max(...x.map((v, j) => Math.abs(v - b[i][j])))));

let open: Fixture[] = [];
const track = (f: Fixture) => { open.push(f); return f; };

beforeAll(async () => { await initWasmBackend(); });
afterEach(() => { open.forEach((f) => f.dispose()); open = []; });

describe('data-parallel fine-tuning', () => {
  it('cuts a batch into one shard per core, never below 16 images, whatever the threads', () => {
    expect([shardCount(64, 2), shardCount(64, 16), shardCount(32, 2), shardCount(16, 2), shardCount(64, 1)]).toEqual([2, 4, 2, 1, 1]);
    expect(shardSizes(64, 2)).toEqual([32, 32]);
    expect(shardSizes(65, 4)).toEqual([17, 16, 16, 16]);
    expect(shardSizes(40, 4)).toEqual([20, 20]);
    expect(shardSizes(15, 4)).toEqual([15]);
  });

  it('on two threads equals one whole batch where no BatchNorm uses batch statistics', async () => {
    const one = track(fixture(false));
    const lossesOne = unshardedSteps(one);
    const two = track(fixture(false));
    const before = two.net.values();
    const lossesTwo = await shardedSteps(two, await threads(two, 1), 2);
    // The same arithmetic, summed in another order: float rounding only.
    lossesTwo.forEach((l, i) => expect(l).toBeCloseTo(lossesOne[i], 5));
    expect(maxAbsDiff(two.net.values(), one.net.values())).toBeLessThan(1e-5);
    // ...and the steps did move the weights (by far more than that).
    expect(maxAbsDiff(two.net.values(), before)).toBeGreaterThan(1e-4);
  }, 60_000);

  it('with batch statistics, trains the same bits on one thread and on two, for two shards and for four', async () => {
    for (const shards of [2, 4]) {
      const two = track(fixture(true));
      await shardedSteps(two, await threads(two, 1), shards);
      const one = track(fixture(true));
      await shardedSteps(one, [], shards);
      // Same wasm code on every thread, same shards from the same statistics, same order of sums.
      expect(maxAbsDiff(two.net.values(), one.net.values()), `${shards} shards`).toBe(0);
    }
    // Each shard normalised with its own statistics: not the run a whole batch gives.
    const shardedRun = track(fixture(true));
    await shardedSteps(shardedRun, [], 2);
    const whole = track(fixture(true));
    unshardedSteps(whole);
    expect(maxAbsDiff(shardedRun.net.values(), whole.net.values())).toBeGreaterThan(1e-6);
  }, 120_000);

  it('takes threads that become free and gives them back between batches, training the same bits', async () => {
    const f = track(fixture(true));
    const allowance = { now: 1 };
    let spawned: Promise<ShardLink[]> | null = null;
    const step = new DataParallelStep(f.net, [], f.optimizer, 2, { allowance, spawn: (n) => (spawned = threads(f, n)) });
    const used: number[] = [];
    try {
      const batches = [...f.batches, ...f.batches];
      for (const [i, { x, labels }] of batches.entries()) {
        if (i === 1) allowance.now = 2;
        if (i === 2) { await spawned; await Promise.resolve(); }
        if (i === 4) allowance.now = 1;
        await step.step(x, labels);
        used.push(step.threads);
      }
    } finally {
      step.close();
    }
    expect(used).toEqual([1, 1, 2, 2, 1, 1]);
    const alone = track(fixture(true));
    const plain = new DataParallelStep(alone.net, [], alone.optimizer, 2);
    for (const { x, labels } of [...alone.batches, ...alone.batches]) await plain.step(x, labels);
    expect(maxAbsDiff(f.net.values(), alone.net.values())).toBe(0);
  }, 60_000);

  it.each(['adam', 'sgd', 'rmsprop'] as const)("steps %s as plain loops on host copies of the weights, the same bits as tfjs's optimizer, and sends the replicas those", async (name) => {
    const host = track(fixture(true, () => createOptimizer(name, 1e-3)));
    const before = host.net.values().map((v) => v.slice());
    const tfjsApplied = vi.spyOn(host.optimizer, 'applyGradients');
    await shardedSteps(host, await threads(host, 1), 2);
    expect(tfjsApplied).not.toHaveBeenCalled();
    const viaTfjs = track(fixture(true, () => {
      const o = createOptimizer(name, 1e-3);
      // A class no host loop answers to: the step takes tfjs's applyGradients on the variables.
      Object.defineProperty(o, 'getClassName', { value: () => `tfjs ${name}` });
      return o;
    }));
    const applied = vi.spyOn(viaTfjs.optimizer, 'applyGradients');
    await shardedSteps(viaTfjs, await threads(viaTfjs, 1), 2);
    expect(applied).toHaveBeenCalledTimes(STEPS);
    // The helper computed every second shard from what it was sent: wrong weights there would show here.
    expect(maxAbsDiff(host.net.values(), viaTfjs.net.values())).toBe(0);
    expect(maxAbsDiff(host.net.values(), before)).toBeGreaterThan(1e-5);
  }, 60_000);

  it("moves BatchNorm's statistics by the mean of every shard's update, not the last shard's alone", async () => {
    const f = track(fixture(true));
    const { x, labels } = f.batches[0];
    const halves = [tf.tidy(() => x.slice(0, BATCH / 2)), tf.tidy(() => x.slice(BATCH / 2))];
    // By hand: each half from the starting statistics, one after another.
    const [first, second] = f.net.computeShards([{ input: halves[0], labels: labels.subarray(0, BATCH / 2) }, { input: halves[1], labels: labels.subarray(BATCH / 2) }]).map((r) => r.stats);
    tf.dispose(halves);
    const expected = first.map((a, i) => a.map((v, j) => 0.5 * v + 0.5 * second[i][j]));
    const g = track(fixture(true));
    const step = new DataParallelStep(g.net, await threads(g, 1), g.optimizer, 2);
    try { await step.step(x, labels); } finally { step.close(); }
    const got = g.net.stats.map((v) => v.dataSync() as Float32Array);
    expect(g.net.stats.length).toBeGreaterThan(0);
    expect(maxAbsDiff(got, expected)).toBeLessThan(1e-6);
    expect(maxAbsDiff(got, second)).toBeGreaterThan(1e-6);
    expect(maxAbsDiff(first, second)).toBeGreaterThan(1e-6);
  }, 60_000);

  it('a replica that cannot be built fails the start with the reason', async () => {
    const f = track(fixture(false));
    const wrong = f.net.values('all').slice(1);
    await expect(nodeShardThreads(1, f.spec, wrong)).rejects.toThrow(/training thread.*expected \d+ weight arrays, got \d+/);
  }, 60_000);

  it('a shard the thread cannot compute fails that step with the reason, and the link stays usable', async () => {
    const f = track(fixture(false));
    const [link] = await threads(f, 1);
    try {
      const { x, labels } = f.batches[0];
      // A step's shards are the thread's from then on (the link moves them): each step gets its own.
      const shards = () => [{ input: Float32Array.from(x.dataSync() as Float32Array), shape: x.shape, labels: labels.slice() }];
      await expect(link.step({ shards: shards(), weights: [new Float32Array(3)] })).rejects.toThrow(/A training thread failed: A shard replica expected \d+ weight arrays, got 1/);
      const given = shards();
      const [ok] = await link.step({ shards: given, weights: null });
      expect(Number.isFinite(ok.loss)).toBe(true);
      // Arrays that moved already cannot be sent again: a clear error at once, never a lost answer.
      expect(given[0].input.length).toBe(0);
      await expect(link.step({ shards: given, weights: null })).rejects.toThrow(/could not be sent its work: .*detached/);
      const [again] = await link.step({ shards: shards(), weights: null });
      expect(again.loss).toBe(ok.loss);
    } finally {
      link.close();
    }
    await expect(link.step({ shards: [], weights: null })).rejects.toThrow(/closed/);
  }, 60_000);
});
