// The embedding pass on every core a run may use: helper threads, each with a copy of the frozen
// base, embed whole batches while this thread embeds others. Inference on a batch gives the same
// bits whichever thread runs it (the same wasm code, each image on its own), so the cache and the
// run are as on one thread. Threads start in the background and join the pass as they come up; one
// that fails drops out and its batch is embedded here. Nothing here needs Node: the host supplies
// the threads.
import type * as tf from '@tensorflow/tfjs';
import type { ThreadAllowance } from './data-parallel.js';

export interface EmbedLink {
  /** Features of one preprocessed batch [n, h, w, c] → [n × featureSize]. */
  embed(input: Float32Array, shape: number[]): Promise<Float32Array>;
  close(): void;
}

/** Starts threads with a copy of a layers base each (topology as toJSON(null, false), weights in `model.weights` order). */
export type BaseThreads = (count: number, topology: Record<string, unknown>, weights: Float32Array[]) => Promise<EmbedLink[]>;

/** Below this many images a thread's start (about a second of a core) costs more than it saves. */
export const MIN_THREADED_IMAGES = 512;

export class EmbedHelpers {
  private links: EmbedLink[] = [];
  private started = false;
  private closed = false;

  /** Threads that embedded at least one batch. */
  readonly used = new Set<EmbedLink>();

  constructor(
    private readonly start: ((count: number) => Promise<EmbedLink[]>) | null, private readonly allowance: ThreadAllowance,
    private readonly minImages = MIN_THREADED_IMAGES,
  ) {}

  /** A pass over `images` images begins: starts the threads when it is long enough to pay. */
  want(images: number): void {
    if (!this.start || this.started || this.closed || images < this.minImages || this.allowance.now <= 1) return;
    this.started = true;
    this.start(this.allowance.now - 1).then(
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

/** Helpers for `model` when the host has threads and the run trains on wasm; none otherwise. */
export function embedHelpers(model: tf.LayersModel | null, threads: BaseThreads | undefined, allowance: ThreadAllowance, backend: string): EmbedHelpers {
  if (!model || !threads || backend !== 'wasm') return new EmbedHelpers(null, allowance);
  return new EmbedHelpers((count) => threads(
    count, model.toJSON(null, false) as unknown as Record<string, unknown>,
    model.weights.map((w) => w.read().dataSync() as Float32Array),
  ), allowance);
}
