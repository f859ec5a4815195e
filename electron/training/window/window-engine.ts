// The window worker: the worker process's message handler (the same engine, one copy) served over a
// WindowLink from a renderer, with the window's EngineDeps (window-deps.ts) and its calls back to
// the host (host-client.ts). A lost GPU fails the current run at once with the reason and tells the
// host, which treats it as this worker's death; a closed link ends every pending host call.
import { z } from 'zod';
import type { FromWindow, WindowLink } from '../../worker-protocol/window.js';
import { createMessageHandler, type MessageHandler } from '../engine/message-handler.js';
import { createHostClient, type HostClient } from './host-client.js';
import type { WindowBackend } from './window-backend.js';
import { windowEngineDeps } from './window-deps.js';

export interface WindowWorkerOptions {
  /** Force a backend ('cpu' stands in for a GPU in tests); default: WebGPU, else WebGL. */
  backend?: WindowBackend;
  /** GPU memory a run may use (default window-deps.ts DEFAULT_GPU_MEMORY_CAP_MB). */
  memoryCapMB?: number;
  hostCallTimeoutMs?: number;
}

/** The running worker, for its entry point (and tests): report a crash, or a GPU loss seen elsewhere. */
export interface WindowWorker {
  gpuLost(reason: string): void;
  crash(err: unknown): void;
  idle(): Promise<void>;
}

const HostReplyMessage = z.object({ type: z.literal('hostReply'), callId: z.number().int(), ok: z.boolean(), result: z.unknown().optional(), error: z.string().optional() });

export function startWindowWorker(link: WindowLink<FromWindow>, opts: WindowWorkerOptions = {}): WindowWorker {
  let closed = false;
  const post = (message: FromWindow) => {
    if (closed) return;
    try { link.post(message); } catch { /* the host is gone; the link's close says so */ }
  };
  const host: HostClient = createHostClient(post, opts.hostCallTimeoutMs);
  let lost = false;
  // The deps report a loss through the handler that is built from them.
  let handler: MessageHandler | null = null;
  const gpuLost = (reason: string) => {
    if (lost) return;
    lost = true;
    handler?.failCurrent(`The window's GPU context was lost (${reason}), so the run could not finish there.`);
    post({ type: 'gpuLost', reason });
    host.closeAll(`the window's GPU context was lost (${reason})`);
  };
  const deps = windowEngineDeps(host, { backend: opts.backend, memoryCapMB: opts.memoryCapMB, onGpuLost: gpuLost });
  const h = createMessageHandler((m) => post(m), deps);
  handler = h;

  link.onMessage((raw) => {
    if (raw && typeof raw === 'object' && (raw as { type?: unknown }).type === 'hostReply') {
      const reply = HostReplyMessage.safeParse(raw);
      if (reply.success) host.settle(reply.data);
      else post({ type: 'log', level: 'error', message: `Ignored a malformed host reply: ${reply.error.issues.map((i) => i.message).join('; ')}` });
      return;
    }
    if (lost) {
      const type = raw && typeof raw === 'object' ? (raw as { type?: unknown }).type : undefined;
      if (type === 'start') post({ type: 'failed', runId: String((raw as { runId?: unknown }).runId ?? ''), error: 'This window lost its GPU context; it cannot train any more.' });
      return;
    }
    h.handle(raw);
  });
  link.onClose((reason) => {
    closed = true;
    host.closeAll(`the connection to the host closed (${reason})`);
    h.failCurrent(`the connection to the host closed (${reason})`);
  });
  return { gpuLost, crash: (err) => h.crash(err), idle: () => h.idle() };
}
