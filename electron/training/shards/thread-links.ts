// The worker process's helper threads: one worker_threads Worker per extra core, each told to build
// a replica of the trainable part (data-parallel fine-tuning) or a copy of the frozen base (the
// embedding pass). A thread that dies or errors fails the request it was on (and every later one)
// with the reason, so the run fails with it, or goes on without it, instead of hanging.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ShardLink, ShardResult, ShardThreads } from '../engine/data-parallel.js';
import type { EmbedLink } from '../engine/embed-link.js';
import type { BaseThreads } from '../engine/embedding-threads.js';
import type { FromShardThread, ToShardThread } from './protocol.js';

/** The thread's script: next to the bundled worker (dist/electron/), else the TypeScript source through tsx. */
function threadScript(): { file: string; workerData?: { entry: string } } {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts')) {
    const bundled = fileURLToPath(new URL('./shard-thread.cjs', import.meta.url));
    if (!existsSync(bundled)) throw new Error(`The training threads' script is missing (${bundled}); rebuild the app.`);
    return { file: bundled };
  }
  return { file: fileURLToPath(new URL('./tsx-thread.mjs', import.meta.url)), workerData: { entry: fileURLToPath(new URL('./shard-thread.ts', import.meta.url)) } };
}

type Answer = Extract<FromShardThread, { type: 'shards' | 'embedded' }>;
type Request = Extract<ToShardThread, { type: 'step' | 'embed' }>;
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/**
 * A step's shard arrays are the thread's from here (ShardStep): their buffers move instead of being
 * copied, where the array is the whole buffer. Never a detached one: Node drops a message whose
 * transfer list holds one, without an error, and its answer would never come.
 */
function movable(m: WithoutId<Request>): ArrayBuffer[] {
  if (m.type !== 'step') return [];
  const arrays = m.shards.flatMap((s) => [s.input, s.labels]);
  return [...new Set(arrays.filter((a) => a.byteLength > 0 && a.byteLength === a.buffer.byteLength).map((a) => a.buffer as ArrayBuffer))];
}

class ThreadLink implements ShardLink, EmbedLink {
  private nextId = 1;
  private waiting = new Map<number, { resolve: (r: Answer) => void; reject: (e: Error) => void }>();
  private failure: Error | null = null;
  private started!: { resolve: () => void; reject: (e: Error) => void };
  /** A base being built on a thread that is already up (embedWith). */
  private rebuilding: { resolve: () => void; reject: (e: Error) => void } | null = null;
  /** Settles once the replica is built, or the thread could not build it. */
  readonly ready = new Promise<void>((resolve, reject) => { this.started = { resolve, reject }; });

  constructor(private readonly worker: Worker, init: Extract<ToShardThread, { type: 'init' | 'initBase' }>) {
    this.ready.catch(() => {}); // the caller awaits it; a failure must not also count as unhandled
    worker.on('message', (m: FromShardThread) => this.onMessage(m));
    worker.on('error', (e) => this.fail(new Error(`A training thread failed: ${e.message}`)));
    worker.on('exit', (code) => this.fail(new Error(`A training thread exited (code ${code}).`)));
    this.worker.postMessage(init);
  }

  async step(step: Parameters<ShardLink['step']>[0]): Promise<ShardResult[]> {
    const answer = await this.request({ type: 'step', ...step });
    if (answer.type !== 'shards') throw new Error(`A training thread answered a shard with ${answer.type}.`);
    return answer.results;
  }

  async embed(input: Float32Array, shape: number[]): Promise<Float32Array> {
    const answer = await this.request({ type: 'embed', input, shape });
    if (answer.type !== 'embedded') throw new Error(`A training thread answered a batch with ${answer.type}.`);
    return answer.features;
  }

  async embedWith(topology: Record<string, unknown>, weights: Float32Array[]): Promise<EmbedLink> {
    if (this.failure) throw this.failure;
    if (this.rebuilding) throw new Error('A training thread is already building a base.');
    const built = new Promise<void>((resolve, reject) => { this.rebuilding = { resolve, reject }; });
    this.worker.postMessage({ type: 'initBase', topology, weights } satisfies ToShardThread);
    await built;
    return this;
  }

  close(): void {
    this.fail(new Error('The training threads were closed.'));
    void this.worker.terminate();
  }

  private request(m: WithoutId<Request>): Promise<Answer> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      try {
        this.worker.postMessage({ ...m, id } as Request, movable(m));
      } catch (e) {
        // Unsendable (an array already handed over elsewhere): this request fails, the link stays.
        this.waiting.delete(id);
        reject(new Error(`A training thread could not be sent its work: ${e instanceof Error ? e.message : String(e)}`));
      }
    });
  }

  private onMessage(m: FromShardThread): void {
    if (m.type === 'ready') {
      if (this.rebuilding) { this.rebuilding.resolve(); this.rebuilding = null; }
      return this.started.resolve();
    }
    const id = m.id;
    const waiter = id === null ? undefined : this.waiting.get(id);
    if (m.type === 'error') {
      if (waiter) { this.waiting.delete(id!); waiter.reject(new Error(`A training thread failed: ${m.message}`)); }
      else this.fail(new Error(`A training thread failed: ${m.message}`));
      return;
    }
    if (!waiter) return;
    this.waiting.delete(m.id);
    waiter.resolve(m);
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.started.reject(this.failure);
    this.rebuilding?.reject(this.failure);
    this.rebuilding = null;
    for (const w of this.waiting.values()) w.reject(this.failure);
    this.waiting.clear();
  }
}

/** Starts `count` threads with `init`; any that cannot start stops them all. */
async function startThreads(count: number, init: ConstructorParameters<typeof ThreadLink>[1]): Promise<ThreadLink[]> {
  const script = threadScript();
  const links = Array.from({ length: count }, () => new ThreadLink(new Worker(script.file, { workerData: script.workerData }), init));
  try {
    await Promise.all(links.map((l) => l.ready));
    return links;
  } catch (e) {
    links.forEach((l) => l.close());
    throw e;
  }
}

/** Helper threads with a replica of the trainable part each. */
export const nodeShardThreads: ShardThreads = (count, spec, weights) => startThreads(count, { type: 'init', spec, weights });

/** Helper threads with a copy of the frozen base each, for the embedding pass. */
export const nodeBaseThreads: BaseThreads = (count, topology, weights) => startThreads(count, { type: 'initBase', topology, weights });
