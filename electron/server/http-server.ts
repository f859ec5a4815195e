// Browser mode: the built renderer over HTTP and the contract over a WebSocket, on loopback by
// default. The first page load carries the per-launch token as ?token=… (the teacher) or the class
// token as ?class=… (a student); the page's own assets are then opened by an asset-only cookie (see
// token.ts), and the socket needs the credentials themselves, which the page presents from its
// storage. Each socket is one caller (lab-access.ts), passed with every call to the dispatcher,
// which applies the role policy; a student's socket receives only the events the policy shows them.
// Only this server's own names are accepted as Host and Origin. No request, however malformed, may
// throw out of a handler: training would stop.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { WireRequest, type WireEvent } from '../contract/index.js';
import type { Dispatch } from '../services/dispatcher.js';
import type { Caller } from '../services/roles/caller.js';
import { allowedHosts, hostAllowed, originAllowed } from './allowed-hosts.js';
import { callerOf, fromQuery, type ServerLab } from './lab-access.js';
import { answerLabPost } from './lab-posts.js';
import { readStatic } from './static-files.js';
import { assetCookieName, assetKey, cookieValue, tokenMatches } from './token.js';

import { CSP, WINDOW_WORKER_CSP } from '../security/content-security-policy.js';
import type { ToWindow, WindowLink } from '../worker-protocol/window.js';
import { CLOSE, MAX_FRAME_BYTES, hostSocketLink, type SocketLike } from '../worker-protocol/window-socket.js';


export interface ServerOptions {
  host: string;
  port: number;
  token: string;
  staticDir: string;
  dispatch: Dispatch;
  /** Registers a listener for every contract event; returns an unsubscribe. */
  subscribe: (listener: (e: WireEvent) => void) => () => void;
  log?: (msg: string) => void;
  /** A class served from this server: its link, name claims and uploads. Without it only the token opens anything. */
  lab?: ServerLab & {
    /** The folder a caller's uploads go to. */
    uploadDir(caller: Caller): string;
  };
  /** Whether a caller's socket receives an event (the teacher receives all). */
  eventVisible?: (caller: Caller, event: WireEvent) => boolean | Promise<boolean>;
  /**
   * Training on a tab's GPU: the window worker's script is served from `dir` under /window-worker/,
   * and its socket (/window-worker, the teacher's token only) is handed to `attach`, which answers
   * why not when it refuses (one tab at a time).
   */
  windowWorker?: { dir: string; attach(link: WindowLink<ToWindow>): string | null };
}

export interface RunningServer {
  url: string;
  /** The class link (with --class / a lab), or null. */
  classUrl: string | null;
  port: number;
  close(): Promise<void>;
}

export class PortInUseError extends Error {}

const messages = {
  400: 'Bad request: the address is not one this server understands.',
  401: 'Unauthorized: open the exact URL printed by `npm run serve` (it carries the access token).',
  403: 'Forbidden: this server answers only to its own address. Open the exact URL printed by `npm run serve`.',
  404: 'Not found',
  500: 'Internal error: the request could not be answered; the server keeps running.',
} as const;
type Refusal = keyof typeof messages;

/** Where a tab's window worker lives: its script's folder and its socket. */
export const WINDOW_WORKER_PREFIX = '/window-worker/';
export const WINDOW_WORKER_SOCKET = '/window-worker';

const securityHeaders = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

/** Path and query of an origin-form request target ("/path?query"); null for anything else. */
function splitTarget(target: string | undefined): { path: string; query: URLSearchParams } | null {
  if (!target?.startsWith('/')) return null;
  const q = target.indexOf('?');
  return { path: q < 0 ? target : target.slice(0, q), query: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)) };
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const log = opts.log ?? (() => undefined);
  const sockets = new Map<WebSocket, { caller: Caller; chain: Promise<unknown> }>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 * 1024 });
  // A data set's pixels reach the window worker in one frame; ws closes a larger one with 1009.
  const windowWss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const windowSockets = new Set<WebSocket>();
  const key = assetKey(opts.token);
  let allowed = new Set<string>(); // filled in once the port is known
  let cookieName = '';

  async function answer(req: IncomingMessage, res: ServerResponse) {
    if (!hostAllowed(allowed, req.headers.host)) return refuse(res, 403);
    const target = splitTarget(req.url);
    if (!target) return refuse(res, 400);
    if (req.method === 'POST' && target.path.startsWith('/lab/')) {
      if (!originAllowed(allowed, req.headers.origin)) return refuse(res, 403);
      if (!opts.lab) return refuse(res, 404);
      return answerLabPost(req, res, target, opts.lab, (creds) => callerOf(opts.token, opts.lab, creds), securityHeaders);
    }
    const byToken = tokenMatches(opts.token, target.query.get('token')) || (!!opts.lab && tokenMatches(opts.lab.classToken, target.query.get('class')));
    if (!byToken && !tokenMatches(key, cookieValue(req.headers.cookie, cookieName))) return refuse(res, 401);
    // The window worker's script lives beside the renderer's build, with a narrower policy of its own.
    const workerFile = opts.windowWorker && target.path.startsWith(WINDOW_WORKER_PREFIX);
    const file = req.method !== 'GET' ? null
      : workerFile ? await readStatic(opts.windowWorker!.dir, target.path.slice(WINDOW_WORKER_PREFIX.length - 1))
      : await readStatic(opts.staticDir, target.path);
    if (!file) return refuse(res, 404);
    const cookie = `${cookieName}=${key}; HttpOnly; SameSite=Strict; Path=/`;
    const policy = workerFile ? { 'Content-Security-Policy': WINDOW_WORKER_CSP } : {};
    res.writeHead(200, { ...securityHeaders, ...policy, 'Content-Type': file.type, 'Set-Cookie': cookie });
    res.end(file.body);
  }

  const server = createServer((req, res) => {
    answer(req, res).catch((e: unknown) => {
      log(`HTTP ${req.method} failed: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) refuse(res, 500);
      else res.destroy();
    });
  });

  /** Who this upgrade is, or why it must not become a socket. */
  function upgradeCaller(req: IncomingMessage): { caller: Caller; window: boolean } | Refusal {
    const target = splitTarget(req.url);
    if (!target) return 400;
    if (!hostAllowed(allowed, req.headers.host) || !originAllowed(allowed, req.headers.origin)) return 403;
    const window = target.path === WINDOW_WORKER_SOCKET && !!opts.windowWorker;
    if (target.path !== '/ws' && !window) return 404;
    // The credentials themselves, never the cookie: other local servers the browser visits receive cookies.
    const caller = callerOf(opts.token, opts.lab, fromQuery(target.query));
    if (!caller) return 401;
    // Training on a tab's GPU runs the server's queue there: the teacher's, never a student's.
    if (window && caller.role !== 'teacher') return 403;
    return { caller, window };
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node leaves upgrade sockets without an error listener; a client reset would crash the process.
    socket.on('error', () => socket.destroy());
    try {
      const who = upgradeCaller(req);
      if (typeof who === 'number') return refuseUpgrade(socket, who);
      if (who.window) return windowWss.handleUpgrade(req, socket, head, (ws) => onWindowWorker(ws));
      wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, who.caller));
    } catch (e) {
      log(`WebSocket upgrade failed: ${e instanceof Error ? e.message : String(e)}`);
      refuseUpgrade(socket, 500);
    }
  });

  /** A tab's window worker: one at a time; its frames are checked by the link, its close reaches the queue. */
  function onWindowWorker(ws: WebSocket) {
    windowSockets.add(ws);
    ws.on('close', () => windowSockets.delete(ws));
    ws.on('error', (e) => log(`GPU window connection closed after a bad frame: ${e.message}`));
    const link = hostSocketLink(ws as unknown as SocketLike, (m) => log(`GPU window: ${m}`));
    const refusal = opts.windowWorker!.attach(link);
    if (refusal) ws.close(CLOSE.busy, refusal.slice(0, 120));
    else log('a tab connected to train on its GPU');
  }

  function onConnection(ws: WebSocket, caller: Caller) {
    sockets.set(ws, { caller, chain: Promise.resolve() });
    ws.on('close', () => sockets.delete(ws));
    // Broken frames from a client: ws closes that socket; without a listener the error would be thrown.
    ws.on('error', (e) => log(`WebSocket closed after a bad frame: ${e.message}`));
    ws.on('message', async (data) => {
      let id = -1;
      try {
        const parsed = WireRequest.safeParse(JSON.parse(String(data)));
        if (!parsed.success) throw new Error('Malformed request: expected { id, method, params }.');
        id = parsed.data.id;
        const response = await opts.dispatch(parsed.data.method, parsed.data.params, caller);
        ws.send(JSON.stringify({ id, ...response }));
      } catch (e) {
        ws.send(JSON.stringify({ id, ok: false, error: { code: 'validation', message: e instanceof Error ? e.message : String(e) } }));
      }
    });
  }

  const unsubscribe = opts.subscribe((event) => {
    const text = JSON.stringify(event);
    for (const [ws, conn] of sockets) {
      const send = () => { if (ws.readyState === ws.OPEN) ws.send(text); };
      if (conn.caller.role === 'teacher') send();
      // One chain per socket keeps its events in order while ownership is looked up.
      else if (opts.eventVisible) conn.chain = conn.chain.then(() => opts.eventVisible!(conn.caller, event)).then((ok) => ok && send(), (e: unknown) => log(`event filter failed: ${String(e)}`));
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') reject(new PortInUseError(`Port ${opts.port} on ${opts.host} is already in use. Stop the other program or choose another port with --port.`));
      else reject(e);
    });
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  allowed = allowedHosts(opts.host, port);
  cookieName = assetCookieName(port);
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;

  return {
    port,
    url: `http://${hostForUrl}:${port}/?token=${encodeURIComponent(opts.token)}`,
    classUrl: opts.lab ? `http://${hostForUrl}:${port}/?class=${encodeURIComponent(opts.lab.classToken)}` : null,
    close: async () => {
      unsubscribe();
      for (const ws of sockets.keys()) ws.terminate();
      for (const ws of windowSockets) ws.terminate();
      wss.close();
      windowWss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function refuse(res: ServerResponse, code: Refusal) {
  res.writeHead(code, { ...securityHeaders, 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(messages[code]);
}

function refuseUpgrade(socket: Duplex, code: Refusal) {
  const status = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' }[code];
  const body = Buffer.from(messages[code]);
  socket.end(`HTTP/1.1 ${code} ${status}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
}
