// The embedding pass on every core a run may use: helper threads, each with a copy of the frozen
// base, embed whole batches while this thread embeds others. Inference on a batch gives the same
// bits whichever thread runs it (the same wasm code, each image on its own), so the cache and the
// run are as on one thread. Threads start in the background and join the pass as they come up; one
// that fails drops out and its batch is embedded here. Each thread takes the next batch as it
// finishes one (two in flight, so it never waits for this one). Nothing here needs Node: the host
// supplies the threads.
import type * as tf from '@tensorflow/tfjs';
import type { ShardLink, ThreadAllowance } from './data-parallel.js';
import type { EmbedLink } from './embed-link.js';

/** Starts threads with a copy of a layers base each (topology as toJSON(null, false), weights in `model.weights` order). */
export type BaseThreads = (count: number, topology: Record<string, unknown>, weights: Float32Array[]) => Promise<EmbedLink[]>;

/** Threads start once the pass left is estimated at this many seconds of one core: a thread's start
 *  (loading tfjs, building the base, its first batch) costs about 4 s of a core for MobileNet at
 *  224 px, so 512 such images gained nothing and 1,536 took 0.78× the wall time. Only speed depends on it. */
export const START_PAYS_SECONDS = 12;

export class EmbedHelpers {
  private links: EmbedLink[] = [];
  private started = false;
  private closed = false;
  /** Images the pass still has to embed, as the cache announced them. */
  private left = 0;
  /** Threads that embedded at least one batch. */
  readonly used = new Set<EmbedLink>();

  constructor(
    private readonly start: ((count: number) => Promise<EmbedLink[]>) | null, private readonly allowance: ThreadAllowance,
    /** Seconds of one core the pass must have left before threads start (0: threads already up). */
    private readonly paysAfter = START_PAYS_SECONDS,
  ) {}

  /** The pass will embed `images` images in all (over one or more calls). */
  expect(images: number): void {
    this.left = Math.max(this.left, images);
  }

  /** This thread embedded `images` images in `seconds`: starts the threads once what is left pays for them. */
  embedded(images: number, seconds: number): void {
    this.left = Math.max(0, this.left - images);
    if (images > 0 && this.left > 0 && (this.left * seconds) / images >= this.paysAfter) void this.startNow();
  }

  /** Starts the threads the run may use beside this one, in the background; settles once they are
   *  up or could not start (at once where none start). */
  startNow(): Promise<void> {
    if (!this.start || this.started || this.closed || this.allowance.now <= 1) return Promise.resolve();
    this.started = true;
    return this.start(this.allowance.now - 1).then(
      (links) => { if (this.closed) links.forEach((l) => l.close()); else this.links.push(...links); },
      () => { /* no thread: the pass goes on on this one */ },
    );
  }

  /** The threads ready now. */
  ready(): EmbedLink[] {
    return this.links;
  }

  /** A thread that failed a batch: it takes no more. */
  drop(link: EmbedLink): void {
    this.links = this.links.filter((l) => l !== link);
    link.close();
  }

  close(): void {
    this.closed = true;
    this.links.forEach((l) => l.close());
    this.links = [];
  }
}

const baseOf = (model: tf.LayersModel) => ({
  topology: model.toJSON(null, false) as unknown as Record<string, unknown>,
  weights: model.weights.map((w) => w.read().dataSync() as Float32Array),
});

/** Helpers for `model` when the host has threads and the run trains on wasm; none otherwise. */
export function embedHelpers(model: tf.LayersModel | null, threads: BaseThreads | undefined, allowance: ThreadAllowance, backend: string): EmbedHelpers {
  if (!model || !threads || backend !== 'wasm') return new EmbedHelpers(null, allowance);
  return new EmbedHelpers((count) => {
    const { topology, weights } = baseOf(model);
    return threads(count, topology, weights);
  }, allowance);
}

/**
 * Helpers from threads that are already up (fine-tuning's shard threads): each builds a copy of
 * `model` as it is now when the pass may use it, so they join from the first batch. Threads the pass
 * does not take stay in `idle`, for the caller to close.
 */
export function warmHelpers(model: tf.LayersModel, idle: ShardLink[], allowance: ThreadAllowance): EmbedHelpers {
  return new EmbedHelpers(async (count) => {
    const { topology, weights } = baseOf(model);
    const taken = idle.splice(0, count).filter((l) => {
      if (!l.embedWith) l.close();
      return l.embedWith != null;
    });
    const built = await Promise.allSettled(taken.map((l) => l.embedWith!(topology, weights)));
    // A thread that could not build the base is closed; the pass goes on without it.
    built.forEach((b, i) => { if (b.status === 'rejected') taken[i].close(); });
    return built.flatMap((b) => (b.status === 'fulfilled' ? [b.value] : []));
  }, allowance, 0);
}
