// The browser entry of the window worker bundle (dist/window-worker/window-worker.js). In a browser
// tab's Web Worker its link is its own socket to the server (the tab posts { type: 'connect', url }
// and hears { type: 'connected' } / { type: 'closed', reason }); in the hidden Electron window it is the
// MessagePort the window's preload posts to the page (PORT_MESSAGE). Nothing here may need
// Node: the bundle is built for the browser and fails on any node: import.
import * as tf from '@tensorflow/tfjs';
// Registers the 'webgpu' backend where the browser has WebGPU (webgl and cpu come with tfjs).
import '@tensorflow/tfjs-backend-webgpu';
import type { FromWindow, WindowLink } from '../../worker-protocol/window.js';
import { connectWindowSocket } from '../../worker-protocol/window-socket.js';
import { startWindowWorker, type WindowWorker } from './window-engine.js';

// As in the worker process: no debug checks, no console banner.
tf.env().set('PROD', true);

interface PortLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
  start?(): void;
  close?(): void;
}

/** A link over a MessagePort or a Worker's global scope; `onClose` fires when `close` is called or the host says so. */
function linkOver(port: PortLike, closePort: () => void): WindowLink<FromWindow> & { closed(reason: string): void } {
  const closeHandlers: Array<(reason: string) => void> = [];
  let done = false;
  const closed = (reason: string) => {
    if (done) return;
    done = true;
    for (const h of closeHandlers) h(reason);
  };
  return {
    post: (m) => port.postMessage(m),
    onMessage: (handler) => {
      port.addEventListener('message', (e) => handler(e.data));
      port.start?.();
    },
    onClose: (handler) => { closeHandlers.push(handler); },
    close: () => { closed('the window closed its link'); closePort(); },
    closed,
  };
}

function serve(link: WindowLink<FromWindow>, scope: { addEventListener(type: string, listener: (e: Event) => void): void }): WindowWorker {
  const worker = startWindowWorker(link);
  scope.addEventListener('error', (e) => worker.crash((e as ErrorEvent).error ?? (e as ErrorEvent).message));
  scope.addEventListener('unhandledrejection', (e) => worker.crash((e as PromiseRejectionEvent).reason));
  return worker;
}

/** What the hidden window's preload posts to the page, with the host's MessagePort (electron/preload/window-worker-preload.ts). */
export const PORT_MESSAGE = 'transfer-lab:port';
const isWorkerScope = typeof (globalThis as { importScripts?: unknown }).importScripts === 'function';

function servePort(port: MessagePort): void {
  const link = linkOver(port, () => port.close());
  port.addEventListener('close' as 'message', () => link.closed('the host closed the port'));
  serve(link, globalThis as unknown as Window);
}

if (isWorkerScope) {
  // A browser tab's Web Worker: the tab hands over the socket's address once; the worker connects
  // its own socket (msgpack frames, checked on arrival) and tells the tab how it went.
  const scope = globalThis as unknown as { postMessage(m: unknown): void; addEventListener(type: string, listener: (e: MessageEvent) => void): void };
  let started = false;
  scope.addEventListener('message', async (e: MessageEvent) => {
    const url = (e.data as { type?: unknown; url?: unknown } | null)?.type === 'connect' ? (e.data as { url?: unknown }).url : null;
    if (started || typeof url !== 'string') return;
    started = true;
    try {
      const link = await connectWindowSocket(url);
      link.onClose((reason) => scope.postMessage({ type: 'closed', reason }));
      serve(link, scope as unknown as { addEventListener(type: string, listener: (e: Event) => void): void });
      scope.postMessage({ type: 'connected' });
    } catch (err) {
      scope.postMessage({ type: 'closed', reason: err instanceof Error ? err.message : String(err) });
    }
  });
} else if (typeof window !== 'undefined') {
  // The hidden Electron window: the preload hands over one MessagePort to the host, once.
  let served = false;
  window.addEventListener('message', (e: MessageEvent) => {
    if (served || e.data !== PORT_MESSAGE || !e.ports[0]) return;
    served = true;
    servePort(e.ports[0]);
  });
} else {
  throw new Error('The window worker must run in a Web Worker or in the app\'s hidden training window.');
}
