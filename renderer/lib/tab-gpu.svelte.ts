// Browser mode's opt-in to train on this computer's GPU: a dedicated Web Worker runs the window
// worker's bundle (loaded by URL — the renderer imports none of its code) and connects its own
// socket to the server, which then sends it the runs that ask for the window-gpu rung. The tab
// only hands it the socket's address; the worker says when it is connected and why it closed.
import { api } from './api.js';

export type TabGpuStatus =
  | { kind: 'checking' }
  | { kind: 'unsupported'; why: string }
  | { kind: 'off'; lastEnded: string | null }
  | { kind: 'connecting' }
  | { kind: 'on' };

/** The worker's messages to the tab. */
type WorkerNote = { type: 'connected' } | { type: 'closed'; reason: string };

export const WINDOW_WORKER_SCRIPT = '/window-worker/window-worker.js';

/** Whether this browser can train at all: WebGPU gives an adapter, or a WebGL2 context can be made. */
export async function gpuSupport(): Promise<{ ok: boolean; how: string }> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown | null> } }).gpu;
  if (gpu) {
    try {
      if (await gpu.requestAdapter()) return { ok: true, how: 'WebGPU' };
    } catch {
      /* no adapter: try WebGL2 */
    }
  }
  const canvas = document.createElement('canvas');
  const gl = canvas.getContext('webgl2');
  if (gl) {
    gl.getExtension('WEBGL_lose_context')?.loseContext(); // a probe only: give the context back
    return { ok: true, how: 'WebGL2' };
  }
  return { ok: false, how: 'This browser offers neither WebGPU nor WebGL2 here (hardware acceleration may be off), so it cannot train on its GPU.' };
}

class TabGpu {
  status = $state<TabGpuStatus>({ kind: 'checking' });
  /** Set by the Train view: the device report is probed again when the connection changes. */
  onChange: () => void = () => {};
  private worker: Worker | null = null;
  private checked = false;

  /** Finds out once whether the opt-in is offered at all. */
  async check() {
    if (this.checked) return;
    this.checked = true;
    if (!api.windowWorkerSocketUrl()) {
      this.status = { kind: 'unsupported', why: 'Only the teacher\'s tab (the link with the token) can train for the queue.' };
      return;
    }
    const support = await gpuSupport();
    this.status = support.ok ? { kind: 'off', lastEnded: null } : { kind: 'unsupported', why: support.how };
  }

  start() {
    const url = api.windowWorkerSocketUrl();
    if (!url || this.worker) return;
    this.status = { kind: 'connecting' };
    const worker = new Worker(WINDOW_WORKER_SCRIPT);
    this.worker = worker;
    worker.onmessage = (e: MessageEvent<WorkerNote>) => {
      if (this.worker !== worker) return;
      if (e.data?.type === 'connected') {
        this.status = { kind: 'on' };
        this.onChange();
      } else if (e.data?.type === 'closed') this.ended(String(e.data.reason));
    };
    worker.onerror = (e) => { if (this.worker === worker) this.ended(`The GPU worker failed to start: ${e.message || 'its script could not be loaded'}.`); };
    worker.postMessage({ type: 'connect', url });
  }

  /** Stops training here: the run on this tab, if any, fails with the reason and the queue goes on. */
  stop() {
    this.ended(null);
  }

  private ended(reason: string | null) {
    this.worker?.terminate();
    this.worker = null;
    this.status = { kind: 'off', lastEnded: reason };
    this.onChange();
  }
}

export const tabGpu = new TabGpu();
