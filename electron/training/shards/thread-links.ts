// The worker process's helper threads for data-parallel runs: one worker_threads Worker per extra
// core, each told to build its replica. A thread that dies or errors fails the step it was on (and
// every later one) with the reason, so the run fails with it instead of hanging.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ReplicaSpec, ShardLink, ShardResult, ShardThreads, WeightValues } from '../engine/data-parallel.js';
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

class ThreadLink implements ShardLink {
  private nextId = 1;
  private waiting = new Map<number, { resolve: (r: ShardResult[]) => void; reject: (e: Error) => void }>();
  private failure: Error | null = null;
  private started!: { resolve: () => void; reject: (e: Error) => void };
  /** Settles once the replica is built, or the thread could not build it. */
  readonly ready = new Promise<void>((resolve, reject) => { this.started = { resolve, reject }; });

  constructor(private readonly worker: Worker, spec: ReplicaSpec, weights: WeightValues) {
    this.ready.catch(() => {}); // the caller awaits it; a failure must not also count as unhandled
    worker.on('message', (m: FromShardThread) => this.onMessage(m));
    worker.on('error', (e) => this.fail(new Error(`A training thread failed: ${e.message}`)));
    worker.on('exit', (code) => this.fail(new Error(`A training thread exited (code ${code}).`)));
    this.post({ type: 'init', spec, weights });
  }

  step(step: Parameters<ShardLink['step']>[0]): Promise<ShardResult[]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.post({ type: 'step', id, ...step });
    });
  }

  close(): void {
    this.fail(new Error('The training threads were closed.'));
    void this.worker.terminate();
  }

  private post(m: ToShardThread): void {
    this.worker.postMessage(m);
  }

  private onMessage(m: FromShardThread): void {
    if (m.type === 'ready') return this.started.resolve();
    const id = m.id;
    const waiter = id === null ? undefined : this.waiting.get(id);
    if (m.type === 'error') {
      if (waiter) { this.waiting.delete(id!); waiter.reject(new Error(`A training thread failed: ${m.message}`)); }
      else this.fail(new Error(`A training thread failed: ${m.message}`));
      return;
    }
    if (!waiter) return;
    this.waiting.delete(m.id);
    waiter.resolve(m.results);
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.started.reject(this.failure);
    for (const w of this.waiting.values()) w.reject(this.failure);
    this.waiting.clear();
  }
}

/** Starts `count` helper threads with a replica each; any that cannot start stops them all. */
export const nodeShardThreads: ShardThreads = async (count, spec, weights) => {
  const script = threadScript();
  const links = Array.from({ length: count }, () => new ThreadLink(new Worker(script.file, { workerData: script.workerData }), spec, weights));
  try {
    await Promise.all(links.map((l) => l.ready));
    return links;
  } catch (e) {
    links.forEach((l) => l.close());
    throw e;
  }
};
