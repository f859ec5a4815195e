// Browser mode: the built renderer over HTTP and the contract over a WebSocket, on loopback by
// default. Every request must carry the per-launch token: the first page load as ?token=…, which
// is then kept in an HttpOnly cookie for the page's own assets and socket.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { WireRequest, type WireEvent } from '../contract/index.js';
import type { Dispatch } from '../services/dispatcher.js';
import { readStatic } from './static-files.js';
import { cookieToken, tokenMatches } from './token.js';

import { CSP } from '../services/content-security-policy.js';

export { CSP };

export interface ServerOptions {
  host: string;
  port: number;
  token: string;
  staticDir: string;
  dispatch: Dispatch;
  /** Registers a listener for every contract event; returns an unsubscribe. */
  subscribe: (listener: (e: WireEvent) => void) => () => void;
  log?: (msg: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export class PortInUseError extends Error {}

function requestToken(req: IncomingMessage): string | null {
  const url = new URL(req.url ?? '/', 'http://x');
  return url.searchParams.get('token') ?? cookieToken(req.headers.cookie);
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 * 1024 });

  const server = createServer(async (req, res) => {
    const headers = {
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    };
    if (!authorised(req)) return deny(res, headers);
    const url = new URL(req.url ?? '/', 'http://x');
    const file = req.method === 'GET' ? await readStatic(opts.staticDir, url.pathname) : null;
    if (!file) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' });
      return res.end('Not found');
    }
    const cookie = `tl_token=${encodeURIComponent(opts.token)}; HttpOnly; SameSite=Strict; Path=/`;
    res.writeHead(200, { ...headers, 'Content-Type': file.type, 'Set-Cookie': cookie });
    res.end(file.body);
  });

  function authorised(req: IncomingMessage): boolean {
    return tokenMatches(opts.token, requestToken(req));
  }

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    // A page from another origin must not drive the app, even if it somehow had the token.
    const origin = req.headers.origin;
    const sameOrigin = !origin || origin === `http://${req.headers.host}`;
    if (url.pathname !== '/ws' || !authorised(req) || !sameOrigin) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws));
  });

  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', async (data) => {
      let id = -1;
      try {
        const parsed = WireRequest.safeParse(JSON.parse(String(data)));
        if (!parsed.success) throw new Error('Malformed request: expected { id, method, params }.');
        id = parsed.data.id;
        const response = await opts.dispatch(parsed.data.method, parsed.data.params);
        ws.send(JSON.stringify({ id, ...response }));
      } catch (e) {
        ws.send(JSON.stringify({ id, ok: false, error: { code: 'validation', message: e instanceof Error ? e.message : String(e) } }));
      }
    });
  });

  const unsubscribe = opts.subscribe((event) => {
    const text = JSON.stringify(event);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') reject(new PortInUseError(`Port ${opts.port} on ${opts.host} is already in use. Stop the other program or choose another port with --port.`));
      else reject(e);
    });
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;

  return {
    port,
    url: `http://${hostForUrl}:${port}/?token=${encodeURIComponent(opts.token)}`,
    close: async () => {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function deny(res: ServerResponse, headers: Record<string, string>) {
  res.writeHead(401, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
  res.end('Unauthorized: open the exact URL printed by `npm run serve` (it carries the access token).');
}
