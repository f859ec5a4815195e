// Data-parallel fine-tuning for a single run on many cores. The wasm backend computes on one thread,
// so a batch is cut into shards: this thread computes its shards on the real model while helper
// threads (each with a replica of the trainable part) compute theirs. The shard gradients are
// averaged, weighted by shard size (the gradient of the whole batch's mean loss), one optimizer step
// is applied here, and the new weights go to every replica with the next batch. Nothing here needs
// Node: the host supplies the links to its threads.
//
// The shards are fixed by the machine (its physical cores) and the batch size, never by how many
// threads a run got: a run that shares the machine computes the same shards, a few per thread, so it
// trains bit for bit the run it would have trained alone. BatchNorm layers that train on batch
// statistics normalise each shard with that shard's own mean and variance (as PyTorch's
// DistributedDataParallel does without SyncBatchNorm); their moving statistics become the
// shard-size-weighted mean of every shard's update.
//
// Where the optimizer has a host version (host-optimizers.ts: Adam, momentum, RMSprop), the step
// runs it as plain loops over host copies of the trainable weights, which are also what the replicas
// receive: a fine-tuned network's few dozen small weights cost more to dispatch as tfjs ops than to
// compute, and every millisecond of it is one the helper threads wait.
import * as tf from '@tensorflow/tfjs';
import { createHead, type Head } from './head.js';
import { hostOptimizer, type HostOptimizer } from './host-optimizers.js';
import { lossOf, predictedCorrect } from './loss.js';
import type { EmbedLink } from './embed-link.js';
import type { StepOutcome } from './loop.js';

/** What a helper thread needs to rebuild the trainable part: its topology, the head, BN mode. */
export interface ReplicaSpec {
  /** The trainable suffix as `LayersModel.toJSON(null, false)`: the boundary activations → features. */
  suffixTopology: Record<string, unknown>;
  suffixTraining: boolean;
  head: { featureSize: number; numClasses: number; seed: number };
}

/** Values of one replica's synchronised variables, in `ShardNet.synced` order. */
export type WeightValues = Float32Array[];

/** One shard of a batch: its input (boundary activations) and labels, handed over to the thread
 *  that computes it (a link may transfer the arrays instead of copying them). */
export interface Shard {
  input: Float32Array;
  shape: number[];
  labels: Int32Array;
}

/** A helper's part of one batch. */
export interface ShardStep {
  shards: Shard[];
  /** The weights after the last optimizer step; null when the replica already holds them. */
  weights: WeightValues | null;
}

export interface ShardResult {
  loss: number;
  correct: number;
  /** d(mean shard loss)/d(variable), in `ShardNet.trainable` order. */
  grads: Float32Array[];
  /** The BatchNorm moving statistics after this shard's forward pass, in `ShardNet.stats` order. */
  stats: Float32Array[];
}

/** A thread that holds a replica: sends it its shards of a batch, answers with their gradients. */
export interface ShardLink {
  step(step: ShardStep): Promise<ShardResult[]>;
  /** Builds a copy of a whole base on the thread (topology as toJSON(null, false), weights in
   *  `model.weights` order), so the thread that trained shards can score images next. */
  embedWith?(topology: Record<string, unknown>, weights: Float32Array[]): Promise<EmbedLink>;
  close(): void;
}

/** How many threads a run may use now; the worker changes `now` as other runs start and end. */
export interface ThreadAllowance { now: number }

/** Starts helper threads with a replica each, built from every weight (`ShardNet.values('all')`):
 *  the host's threads; a window has none. */
export type ShardThreads = (count: number, spec: ReplicaSpec, weights: WeightValues) => Promise<ShardLink[]>;

/** The trainable part of fine-tuning, on either side: the real model here, a replica in a helper. */
export class ShardNet {
  /** Trained by gradient, in a fixed order both sides agree on (layer name, weight index). */
  readonly trainable: tf.Variable[];
  /** BatchNorm moving statistics that change in the forward pass (batch-statistics mode only). */
  readonly stats: tf.Variable[];

  /** Every weight of the suffix and the head (incl. moving statistics in inference mode and the
   *  head's fixed standardisation): what a replica starts from. */
  readonly all: tf.Variable[];

  constructor(private readonly suffix: tf.LayersModel, readonly head: Head, private readonly suffixTraining: boolean) {
    const layers = [...suffix.layers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const read = (w: tf.LayerVariable) => w.read() as tf.Variable;
    this.trainable = [...layers.flatMap((l) => l.trainableWeights.map(read)), ...head.variables()];
    this.stats = suffixTraining
      ? layers.filter((l) => l.getClassName() === 'BatchNormalization').flatMap((l) => l.nonTrainableWeights.map(read))
      : [];
    this.all = [...layers, ...head.layers].flatMap((l) => l.weights.map(read));
  }

  /** Everything a replica must hold to compute the next shard exactly as this side would. */
  get synced(): tf.Variable[] {
    return [...this.trainable, ...this.stats];
  }

  forward(x: tf.Tensor): tf.Tensor2D {
    return this.head.apply(this.suffix.apply(x, { training: this.suffixTraining }) as tf.Tensor, true);
  }

  /** One shard's mean loss, correct count and gradient; the forward pass updates `stats`. */
  computeShard(input: tf.Tensor, labels: Int32Array): ShardResult {
    let probs: tf.Tensor2D | null = null;
    const numClasses = this.head.dense.getConfig().units as number;
    const { value, grads } = tf.variableGrads(() => {
      const p = this.forward(input);
      probs = tf.keep(p);
      return lossOf(p, labels, numClasses);
    }, this.trainable);
    const out: ShardResult = {
      loss: value.dataSync()[0],
      correct: predictedCorrect(probs!, labels),
      grads: this.trainable.map((v) => grads[v.name].dataSync() as Float32Array),
      stats: this.stats.map((v) => Float32Array.from(v.dataSync() as Float32Array)),
    };
    tf.dispose([value, probs!, ...Object.values(grads)]);
    return out;
  }

  /** Several shards one after another, each from the same moving statistics (as on threads of their own). */
  computeShards(shards: { input: tf.Tensor; labels: Int32Array }[]): ShardResult[] {
    const start = shards.length > 1 ? this.stats.map((v) => tf.clone(v)) : [];
    try {
      return shards.map((s, i) => {
        if (i > 0) this.stats.forEach((v, j) => v.assign(start[j]));
        return this.computeShard(s.input, s.labels);
      });
    } finally {
      tf.dispose(start);
    }
  }

  /** Sets the synchronised variables (`which` = 'synced') or every weight ('all'). */
  assign(values: WeightValues, which: 'synced' | 'all' = 'synced'): void {
    const vars = which === 'all' ? this.all : this.synced;
    if (values.length !== vars.length) throw new Error(`A shard replica expected ${vars.length} weight arrays, got ${values.length}.`);
    vars.forEach((v, i) => {
      if (values[i].length !== v.size) throw new Error(`Weight ${v.name} has ${v.size} values, got ${values[i].length}.`);
      const t = tf.tensor(values[i], v.shape);
      v.assign(t);
      t.dispose();
    });
  }

  values(which: 'synced' | 'all' = 'synced'): WeightValues {
    return (which === 'all' ? this.all : this.synced).map((v) => v.dataSync() as Float32Array);
  }
}

/** A replica from its spec and every weight (`ShardNet.values('all')`): a helper thread's side. */
export async function buildReplica(spec: ReplicaSpec, weights: WeightValues): Promise<ShardNet> {
  const config = { modelTopology: spec.suffixTopology } as unknown as Parameters<typeof tf.models.modelFromJSON>[0];
  const suffix = await tf.models.modelFromJSON(config);
  const head = createHead(spec.head.featureSize, spec.head.numClasses, spec.head.seed);
  const net = new ShardNet(suffix, head, spec.suffixTraining);
  net.assign(weights, 'all');
  return net;
}

/** Shards never hold fewer images than this: BatchNorm's error grows quickly once it normalises
 *  over fewer (Wu & He, "Group Normalization", 2018, fig. 1). */
export const MIN_SHARD_IMAGES = 16;

/** Shards of a batch of `batchSize` on a machine with `cores` physical cores: one per core, as long
 *  as each keeps MIN_SHARD_IMAGES. Depends on nothing else, so the threads a run gets never change it. */
export function shardCount(batchSize: number, cores: number): number {
  return Math.max(1, Math.min(cores, Math.floor(batchSize / MIN_SHARD_IMAGES)));
}

/** Sizes of `count` shards of an n-image batch (differing by at most one); a batch too short for
 *  `count` shards of MIN_SHARD_IMAGES gets fewer (the last batch of an epoch, say). */
export function shardSizes(n: number, count: number): number[] {
  const k = Math.max(1, Math.min(count, Math.floor(n / MIN_SHARD_IMAGES)));
  return Array.from({ length: k }, (_, i) => Math.floor(n / k) + (i < n % k ? 1 : 0));
}

/** Weighted sum Σ w_k · x_k of same-length arrays, in shard order (the same order on every run),
 *  rounded to float32 after each term. One pass over the output: the pair-of-shards case is most. */
export function weightedSum(parts: Float32Array[], weights: number[]): Float32Array {
  const out = new Float32Array(parts[0].length);
  if (parts.length === 2) {
    const [p0, p1] = parts;
    const [w0, w1] = weights;
    // 0 + …: the loop below starts from +0, which turns a −0 product into +0.
    for (let i = 0; i < out.length; i++) out[i] = Math.fround(0 + w0 * p0[i]) + w1 * p1[i];
    return out;
  }
  parts.forEach((p, k) => {
    const w = weights[k];
    for (let i = 0; i < out.length; i++) out[i] += w * p[i];
  });
  return out;
}

/** One optimizer step over a batch cut into `shards` shards, computed here and on `links`' threads. */
export class DataParallelStep {
  private sent: boolean[];
  /** The optimizer on host copies of `net.trainable` (null: tfjs's own, on the variables). */
  private readonly host: { optimizer: HostOptimizer; values: Float32Array[] } | null;
  /** Threads started for a larger allowance, not yet in use (they join between batches). */
  private joining: ShardLink[] = [];
  private starting = 0;
  private closed = false;
  /** A start failed: the run goes on with the threads it has. */
  private cannotGrow = false;

  constructor(
    private readonly net: ShardNet, private readonly links: ShardLink[], private readonly optimizer: tf.Optimizer,
    private readonly shards: number,
    /** Where the run's allowance changes, and how to start more threads for it. */
    private readonly grow?: { allowance: ThreadAllowance; spawn(count: number): Promise<ShardLink[]> },
  ) {
    // The replicas were built from the current weights.
    this.sent = links.map(() => true);
    const host = tf.getBackend() === 'wasm' ? hostOptimizer(optimizer, { simd: true }) : null;
    this.host = host ? { optimizer: host, values: net.trainable.map((v) => Float32Array.from(v.dataSync() as Float32Array)) } : null;
  }

  /** What a replica must hold before its next shards: the host copies where there are some. */
  private syncedValues(): WeightValues {
    return this.host ? [...this.host.values, ...this.net.stats.map((v) => v.dataSync() as Float32Array)] : this.net.values();
  }

  /** The optimizer step from the batch's gradient (`gradient(i)` for `net.trainable[i]`). */
  private applyGradients(gradient: (i: number) => Float32Array): void {
    const vars = this.net.trainable;
    if (!this.host) {
      const grads: tf.NamedTensorMap = {};
      vars.forEach((v, i) => { grads[v.name] = tf.tensor(gradient(i), v.shape); });
      this.optimizer.applyGradients(grads);
      tf.dispose(Object.values(grads));
      return;
    }
    const { optimizer, values } = this.host;
    vars.forEach((v, i) => {
      optimizer.update(i, values[i], gradient(i));
      // The wasm backend copies the values into its heap: the host copy stays this step's own.
      const t = tf.tensor(values[i], v.shape);
      v.assign(t);
      t.dispose();
    });
    optimizer.endStep();
  }

  get threads(): number {
    return this.links.length + 1;
  }

  /**
   * Follows the allowance between batches: threads beyond it close, and more start in the
   * background (about a second) and join at a later batch. The shards stay the same, so which
   * thread computes one never changes the result.
   */
  private adopt(): void {
    if (!this.grow) return;
    const want = Math.max(1, Math.min(this.shards, this.grow.allowance.now));
    for (const l of this.joining.splice(0)) {
      // Built from the weights when it started: it gets the current ones with its first shards.
      this.links.push(l);
      this.sent.push(false);
    }
    while (this.links.length + 1 > want) {
      this.links.pop()!.close();
      this.sent.pop();
    }
    const missing = want - (this.links.length + 1) - this.starting;
    if (missing <= 0 || this.cannotGrow) return;
    this.starting += missing;
    this.grow.spawn(missing).then(
      (links) => { if (this.closed) links.forEach((l) => l.close()); else this.joining.push(...links); },
      () => { this.cannotGrow = true; },
    ).finally(() => { this.starting -= missing; });
  }

  async step(input: tf.Tensor, labels: Int32Array): Promise<StepOutcome> {
    this.adopt();
    const n = labels.length;
    const sizes = shardSizes(n, this.shards);
    const offsets = sizes.map((_, k) => sizes.slice(0, k).reduce((a, b) => a + b, 0));
    // Shard k is computed by thread k mod threads (0: this one).
    const owner = (k: number) => k % this.threads;
    const rowSize = input.size / n;
    const mineIdx = sizes.map((_, k) => k).filter((k) => owner(k) === 0);
    const values = mineIdx.length < sizes.length ? input.dataSync() as Float32Array : null;
    const weights = this.links.some((_, t) => !this.sent[t] && sizes.some((_, k) => owner(k) === t + 1)) ? this.syncedValues() : null;
    const remote = this.links.map((link, t) => {
      const ks = sizes.map((_, k) => k).filter((k) => owner(k) === t + 1);
      if (ks.length === 0) return null;
      const shards = ks.map((k) => ({
        input: values!.slice(offsets[k] * rowSize, (offsets[k] + sizes[k]) * rowSize), shape: [sizes[k], ...input.shape.slice(1)],
        labels: labels.slice(offsets[k], offsets[k] + sizes[k]),
      }));
      const out = link.step({ shards, weights: this.sent[t] ? null : weights }).then((rs) => ks.map((k, i) => [k, rs[i]] as const));
      this.sent[t] = true;
      return out;
    });
    // This thread's shards run while the helpers compute theirs.
    const own = mineIdx.map((k) => ({ input: tf.tidy(() => input.slice(offsets[k], sizes[k])), labels: labels.subarray(offsets[k], offsets[k] + sizes[k]) }));
    const results: ShardResult[] = new Array(sizes.length);
    try {
      this.net.computeShards(own).forEach((r, i) => { results[mineIdx[i]] = r; });
      for (const pairs of await Promise.all(remote.filter((r) => r !== null))) for (const [k, r] of pairs) results[k] = r;
    } finally {
      tf.dispose(own.map((o) => o.input));
    }
    const w = sizes.map((s) => s / n);
    this.applyGradients((i) => (results.length > 1 ? weightedSum(results.map((r) => r.grads[i]), w) : results[0].grads[i]));
    if (results.length > 1) {
      this.net.stats.forEach((v, i) => {
        const t = tf.tensor(weightedSum(results.map((r) => r.stats[i]), w), v.shape);
        v.assign(t);
        t.dispose();
      });
    }
    // Every replica needs the new weights before its next shards; the ones that sat out this
    // batch (a short last batch) as much as the others.
    this.sent = this.links.map(() => false);
    return {
      loss: results.reduce((s, r, k) => s + w[k] * r.loss, 0),
      correct: results.reduce((s, r) => s + r.correct, 0),
      awaitedThreads: remote.some((r) => r !== null),
    };
  }

  close(): void {
    for (const l of this.release()) l.close();
  }

  /** Stops using the threads and hands them over, open (threads still starting close as they come up). */
  release(): ShardLink[] {
    this.closed = true;
    return [...this.links.splice(0), ...this.joining.splice(0)];
  }
}
