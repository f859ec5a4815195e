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
import { callerOf, fromHeaders, fromQuery, type ServerLab } from './lab-access.js';
import { answerLabPost } from './lab-posts.js';
import { readStatic } from './static-files.js';
import { assetCookieName, assetKey, cookieValue, tokenMatches } from './token.js';

import { CSP } from '../security/content-security-policy.js';


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
    const file = req.method === 'GET' ? await readStatic(opts.staticDir, target.path) : null;
    if (!file) return refuse(res, 404);
    const cookie = `${cookieName}=${key}; HttpOnly; SameSite=Strict; Path=/`;
    res.writeHead(200, { ...securityHeaders, 'Content-Type': file.type, 'Set-Cookie': cookie });
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
  function upgradeCaller(req: IncomingMessage): Caller | Refusal {
    const target = splitTarget(req.url);
    if (!target) return 400;
    if (!hostAllowed(allowed, req.headers.host) || !originAllowed(allowed, req.headers.origin)) return 403;
    if (target.path !== '/ws') return 404;
    // The credentials themselves, never the cookie: other local servers the browser visits receive cookies.
    return callerOf(opts.token, opts.lab, fromQuery(target.query)) ?? 401;
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node leaves upgrade sockets without an error listener; a client reset would crash the process.
    socket.on('error', () => socket.destroy());
    try {
      const caller = upgradeCaller(req);
      if (typeof caller === 'number') return refuseUpgrade(socket, caller);
      wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, caller));
    } catch (e) {
      log(`WebSocket upgrade failed: ${e instanceof Error ? e.message : String(e)}`);
      refuseUpgrade(socket, 500);
    }
  });

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
      wss.close();
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
