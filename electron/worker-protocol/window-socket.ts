// The browser-mode carrier of the window protocol: one WebSocket between a tab's Web Worker and the
// server. JSON would turn typed arrays into lists of numbers, so each message is one binary
// MessagePack frame (msgpackr keeps Float32Array, Uint8Array, … as typed arrays). Both ends validate
// what arrives against the protocol's zod schemas, refuse frames over the cap before decoding them,
// and say in words why the socket closed. The same code serves the browser's WebSocket and the
// server's `ws` socket: both speak the WHATWG event interface.
import { Packr } from 'msgpackr';
import { z } from 'zod';
import { FromWindow, ToWindow, type WindowLink } from './window.js';

/** Largest frame either end sends or accepts: a data set's pixels travel in one message. */
export const MAX_FRAME_BYTES = 512 * 1024 * 1024;

/** Close codes this protocol uses besides the standard ones. */
export const CLOSE = {
  /** A second tab tried to train while one already does. */
  busy: 4409,
  /** The caller may not train on a window (a student of a lab, a wrong token). */
  refused: 4403,
  /** A frame broke the protocol (malformed, or over the cap). */
  protocol: 4400,
} as const;

// Plain maps and arrays (no records: every frame stands alone); typed arrays as msgpackr extensions.
const packr = new Packr({ useRecords: false, moreTypes: true, structuredClone: false });

export function encodeFrame(message: unknown): Uint8Array {
  const bytes = packr.pack(message);
  if (bytes.byteLength > MAX_FRAME_BYTES) throw new FrameTooLargeError(bytes.byteLength);
  return bytes;
}

export function decodeFrame(bytes: Uint8Array): unknown {
  if (bytes.byteLength > MAX_FRAME_BYTES) throw new FrameTooLargeError(bytes.byteLength);
  return packr.unpack(bytes);
}

export class FrameTooLargeError extends Error {
  constructor(bytes: number) {
    super(`A message of ${mb(bytes)} MB is over the ${mb(MAX_FRAME_BYTES)} MB limit of the GPU window's connection: train on fewer images per class.`);
  }
}
const mb = (bytes: number) => Math.ceil(bytes / (1024 * 1024));

/** What both WebSocket implementations offer (browser WebSocket; `ws` WebSocket). */
export interface SocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', listener: (e: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (e: { code: number; reason: string }) => void): void;
  addEventListener(type: 'error', listener: (e: unknown) => void): void;
}
const OPEN = 1;

/** Words for a close code, from the point of view of the end that saw it. */
export function closeReason(code: number, reason: string, peer: string): string {
  if (reason) return reason;
  if (code === 1000 || code === 1001) return `${peer} was closed.`;
  if (code === 1009) return `${peer} sent a message over the ${mb(MAX_FRAME_BYTES)} MB limit.`;
  return `The connection to ${peer.charAt(0).toLowerCase()}${peer.slice(1)} was lost (code ${code}).`;
}

/**
 * Wraps an open socket as a WindowLink: `post` sends one frame, arrivals are decoded and checked
 * against `accepts` (a malformed one is reported through `log` and dropped, never handed on), and
 * the socket's close reaches `onClose` once, with its reason in words.
 */
export function socketLink<Out>(socket: SocketLike, accepts: z.ZodType, opts: { peer: string; log?: (msg: string) => void; closing?: string }): WindowLink<Out> {
  socket.binaryType = 'arraybuffer';
  const handlers: Array<(raw: unknown) => void> = [];
  const closers: Array<(reason: string) => void> = [];
  let closed: string | null = null;
  const end = (reason: string) => {
    if (closed !== null) return;
    closed = reason;
    for (const c of closers) c(reason);
  };
  socket.addEventListener('message', ({ data }) => {
    if (!(data instanceof ArrayBuffer)) return opts.log?.('ignored a text frame on the GPU window connection');
    let message: unknown;
    try {
      message = decodeFrame(new Uint8Array(data));
    } catch (e) {
      return opts.log?.(`ignored an undecodable frame: ${e instanceof Error ? e.message : String(e)}`);
    }
    const parsed = accepts.safeParse(message);
    if (!parsed.success) return opts.log?.(`ignored a malformed message: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    for (const h of handlers) h(parsed.data);
  });
  socket.addEventListener('close', ({ code, reason }) => end(closeReason(code, reason, opts.peer)));
  socket.addEventListener('error', () => { /* the close event that follows carries the reason */ });
  return {
    post(message) {
      if (closed !== null || socket.readyState !== OPEN) throw new Error(`${opts.peer} is not connected: ${closed ?? 'the connection is not open'}`);
      socket.send(encodeFrame(message));
    },
    onMessage: (h) => { handlers.push(h); },
    onClose: (h) => {
      closers.push(h);
      if (closed !== null) h(closed);
    },
    close() {
      // Without `closing` the other end words a normal close from its own side ("… was closed").
      if (socket.readyState === OPEN) socket.close(1000, opts.closing);
      end(opts.closing ?? 'This end closed the connection.');
    },
  };
}

/** Browser side: opens the socket and resolves with the link once it is open, or rejects with the server's reason. */
export function connectSocketLink<Out>(url: string, accepts: z.ZodType, opts: { peer: string; log?: (msg: string) => void; WebSocketImpl?: new (url: string) => SocketLike }): Promise<WindowLink<Out>> {
  const Impl = opts.WebSocketImpl ?? (globalThis as unknown as { WebSocket: new (url: string) => SocketLike }).WebSocket;
  return new Promise((resolve, reject) => {
    const socket = new Impl(url);
    const link = socketLink<Out>(socket, accepts, opts);
    let opened = false;
    (socket as unknown as { addEventListener(t: 'open', l: () => void): void }).addEventListener('open', () => {
      opened = true;
      resolve(link);
    });
    link.onClose((reason) => { if (!opened) reject(new Error(reason)); });
  });
}

/** The tab's Web Worker: its end of the link to the server (it receives ToWindow, posts FromWindow). */
export const connectWindowSocket = (url: string, log?: (msg: string) => void, WebSocketImpl?: new (url: string) => SocketLike): Promise<WindowLink<FromWindow>> =>
  connectSocketLink<FromWindow>(url, ToWindow, { peer: 'The Transfer Lab server', log, WebSocketImpl });

/** What a host accepts from a window: the protocol, except that a host call's payload is checked by
 *  the host itself, so that a bad one is answered with why (never left waiting). */
export const ArrivingAtHost = z.union([FromWindow, z.object({ type: z.literal('hostCall'), callId: z.number().int(), call: z.unknown() })]);

/** The server: its end of the link to a tab's Web Worker (it receives FromWindow, posts ToWindow). */
export const hostSocketLink = (socket: SocketLike, log?: (msg: string) => void): WindowLink<ToWindow> =>
  socketLink<ToWindow>(socket, ArrivingAtHost, { peer: "The tab training on this computer's GPU", log, closing: HOST_CLOSING });

/** What a tab is told when the server ends its connection (at most 123 bytes: a WebSocket close reason). */
export const HOST_CLOSING = 'The server ended the GPU connection (the GPU context was lost, training there was stopped, or the server stopped).';
