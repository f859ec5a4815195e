// Owns the training worker process: starts it on demand, validates what it says, answers request /
// reply calls, and notices when it dies so the queue can mark the job failed and go on.
import { fork } from 'node:child_process';
import type { z } from 'zod';
import { FromWorker, type ToWorker, type WorkerEnv } from '../../worker-protocol/messages.js';

export interface WorkerCallbacks {
  onMessage(message: unknown): void;
  onExit(reason: string): void;
}
export interface WorkerHandle {
  send(message: ToWorker): void;
  kill(): void;
  readonly pid: number | undefined;
}
/** Starts one worker process. Node: child_process.fork; Electron: utilityProcess.fork. */
export type SpawnWorker = (callbacks: WorkerCallbacks) => WorkerHandle;

/**
 * V8 flags of every training process. A training process keeps each core it was given busy with its
 * own threads (the shards of a batch), so V8's concurrent GC helpers only contend with them: with
 * garbage collected on the threads that make it, a 2-thread fine-tuning batch took ~8 % less wall
 * time on a 2-core VM (tl-resnet-s, top 2 blocks; `npm run bench -- training`).
 */
export const WORKER_V8_FLAGS = ['--single-threaded-gc'];

/** child_process.fork of the worker entry; TypeScript sources (tests, dev) run through tsx. */
export function forkWorkerSpawner(entry: string): SpawnWorker {
  return ({ onMessage, onExit }) => {
    const child = fork(entry, [], {
      execArgv: [...WORKER_V8_FLAGS, ...(entry.endsWith('.ts') ? ['--import', 'tsx'] : [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    child.on('message', onMessage);
    child.on('exit', (code, signal) => onExit(describeExit(code, signal)));
    child.on('error', (e) => onExit(`the training process could not start: ${e.message}`));
    return {
      send: (m) => { if (child.connected) child.send(m); },
      kill: () => { child.kill('SIGKILL'); },
      get pid() { return child.pid; },
    };
  };
}

export function describeExit(code: number | null, signal: string | null): string {
  if (signal) return `The training process was stopped (${signal}).`;
  return `The training process exited unexpectedly (exit code ${code}).`;
}

type Message = Exclude<FromWorker, { type: 'reply' | 'ready' | 'log' }>;

export class WorkerHost {
  private handle: WorkerHandle | null = null;
  private ready: Promise<void> | null = null;
  private nextRequest = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(
    private spawn: SpawnWorker,
    private env: () => WorkerEnv,
    private onMessage: (m: Message) => void,
    private onDied: (reason: string) => void,
    private log: (msg: string) => void = () => {},
  ) {}

  get pid() { return this.handle?.pid; }

  /** Starts the worker if needed and resolves once it has said 'ready'. */
  ensureStarted(): Promise<void> {
    if (this.ready) return this.ready;
    this.ready = new Promise<void>((resolve, reject) => {
      let isReady = false;
      const handle = this.spawn({
        onMessage: (raw) => {
          const parsed = FromWorker.safeParse(raw);
          if (!parsed.success) return this.log(`ignored a malformed message from the training process`);
          const m = parsed.data;
          if (m.type === 'ready') { isReady = true; resolve(); return; }
          if (m.type === 'reply') return this.settle(m.requestId, m.ok, m.result, m.error);
          if (m.type === 'log') return this.log(`[worker] ${m.message}`);
          this.onMessage(m);
        },
        onExit: (reason) => {
          if (this.handle !== handle) return;
          this.handle = null;
          this.ready = null;
          for (const p of this.pending.values()) p.reject(new Error(reason));
          this.pending.clear();
          if (!isReady) reject(new Error(reason));
          this.onDied(reason);
        },
      });
      this.handle = handle;
      handle.send({ type: 'init', env: this.env() });
    });
    return this.ready;
  }

  async send(message: ToWorker) {
    await this.ensureStarted();
    this.handle?.send(message);
  }

  /** A request/reply call (device, analyze, exportModel); the reply is checked against `schema`. */
  async request<S extends z.ZodType>(schema: S, build: (requestId: number) => ToWorker, timeoutMs = 10 * 60_000): Promise<z.output<S>> {
    await this.ensureStarted();
    const requestId = this.nextRequest++;
    return new Promise<z.output<S>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new Error('The training process did not answer in time.'));
      }, timeoutMs);
      this.pending.set(requestId, {
        resolve: (v) => {
          clearTimeout(timer);
          const parsed = schema.safeParse(v);
          if (parsed.success) resolve(parsed.data);
          else reject(new Error(`The training process sent a malformed reply: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`));
        },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.handle?.send(build(requestId));
    });
  }

  private settle(requestId: number, ok: boolean, result: unknown, error?: string) {
    const p = this.pending.get(requestId);
    if (!p) return;
    this.pending.delete(requestId);
    if (ok) p.resolve(result);
    else p.reject(new Error(error ?? 'The training process reported an error.'));
  }

  /** Kills the process; the exit is reported through onDied like any other death. */
  kill() { this.handle?.kill(); }

  stop() {
    const h = this.handle;
    this.handle = null;
    this.ready = null;
    h?.kill();
  }
}
