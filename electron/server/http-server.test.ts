import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect as tcpConnect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Handlers, WireEvent } from '../contract/index.js';
import { createDispatcher } from '../services/dispatcher.js';
import { PortInUseError, startServer, type RunningServer } from './http-server.js';

const staticDir = mkdtempSync(join(tmpdir(), 'tl-static-'));
writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Transfer Lab</title>');
const token = 'test-token-abc';
const listeners = new Set<(e: WireEvent) => void>();
const handlers = { 'app.info': async () => ({ name: 'Transfer Lab', version: '0', mode: 'browser', dataDir: '/x', platform: 'linux' }) } as unknown as Handlers;

let server: RunningServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const start = (port = 0) =>
  startServer({
    host: '127.0.0.1',
    port,
    token,
    staticDir,
    dispatch: createDispatcher(handlers),
    subscribe: (l) => (listeners.add(l), () => listeners.delete(l)),
  });

function connect(url: string, origin?: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, ...(origin ? { origin } : {}) });
    ws.on('open', () => resolve(ws));
    ws.on('error', reject);
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}
const call = (ws: WebSocket, msg: unknown) =>
  new Promise<any>((resolve) => {
    ws.once('message', (d) => resolve(JSON.parse(String(d))));
    ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  });

/** Status of one plain HTTP request with exactly these headers (fetch would not let us set Host). */
function status(port: number, path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Status line of a hand-written request, for inputs no HTTP client would send. */
function rawStatus(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1', () => socket.write(text));
    let got = '';
    socket.on('data', (d) => {
      got += d;
      if (got.includes('\r\n')) {
        resolve(got.split('\r\n')[0]);
        socket.destroy();
      }
    });
    socket.on('error', reject);
    socket.on('end', () => resolve(got.split('\r\n')[0]));
  });
}

const upgrade = (path: string, extra = '') =>
  `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;

describe('browser-mode server', () => {
  it('serves the page only with the right token', async () => {
    server = await start();
    const base = `http://127.0.0.1:${server.port}`;
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await fetch(`${base}/?token=wrong`)).status).toBe(401);
    expect((await fetch(`${base}/?token=${token}x`)).status).toBe(401);
    const ok = await fetch(`${base}/?token=${token}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toContain("script-src 'self'");
    const cookie = ok.headers.get('set-cookie')!.split(';')[0];
    expect((await fetch(`${base}/index.html`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${base}/index.html`, { headers: { cookie: cookie.replace(/=.*/, '=nope') } })).status).toBe(401);
  });

  it('answers malformed cookies, URLs and upgrade requests with 400/401 and keeps serving', async () => {
    server = await start();
    const { port } = server;
    const host = `127.0.0.1:${port}`;
    for (const cookie of ['tl_token=%E0%A4%A', 'tl_token=%', `tl_assets_${port}=%`, `tl_assets_${port}=%E0%A4%A; tl_token=%`]) {
      expect(await status(port, '/', { cookie })).toBe(401);
      expect(await status(port, '/assets/app.js', { cookie })).toBe(401);
      expect(await rawStatus(port, upgrade('/ws', `Cookie: ${cookie}\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n`).replace('127.0.0.1', host))).toMatch(/^HTTP\/1\.1 401/);
    }
    for (const path of ['//', '///', '/\\', '//@', '//:99999', '*', '/%', `/%E0%A4%A?token=${token}`, `//?token=${token}`]) {
      expect(await rawStatus(port, `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 (400|401|404)/);
      expect(await rawStatus(port, upgrade(path).replace('127.0.0.1', host))).toMatch(/^HTTP\/1\.1 (400|401|404)/);
    }
    // Right token, broken handshake: no key, then an unsupported version.
    expect(await rawStatus(port, upgrade(`/ws?token=${token}`).replace('127.0.0.1', host))).toMatch(/^HTTP\/1\.1 400/);
    expect(await rawStatus(port, upgrade(`/ws?token=${token}`, 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n').replace('127.0.0.1', host).replace('Version: 13', 'Version: 99'))).toMatch(/^HTTP\/1\.1 400/);
    expect(await status(port, `/?token=${token}`)).toBe(200);
    const ws = await connect(`ws://${host}/ws?token=${token}`);
    expect(await call(ws, { id: 1, method: 'app.info', params: {} })).toMatchObject({ ok: true });
    ws.close();
  });

  it('closes a socket that sends a broken frame and keeps serving', async () => {
    server = await start();
    const { port } = server;
    const socket = tcpConnect(port, '127.0.0.1', () =>
      socket.write(upgrade(`/ws?token=${token}`, 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n').replace('127.0.0.1', `127.0.0.1:${port}`)),
    );
    let handshake = '';
    let reply = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      if (handshake.includes('\r\n\r\n')) return void (reply = Buffer.concat([reply, d]));
      handshake += d;
      // Handshake done: send a frame without the mask every client frame must have.
      if (handshake.includes('\r\n\r\n')) socket.write(Buffer.from([0x81, 0x02, 0x68, 0x69]));
    });
    await new Promise((resolve) => socket.on('close', resolve));
    expect(handshake).toMatch(/^HTTP\/1\.1 101/);
    expect([reply[0], reply.readUInt16BE(2)]).toEqual([0x88, 1002]); // a close frame: protocol error
    expect(await status(port, `/?token=${token}`)).toBe(200);
  });

  it('refuses a WebSocket that has the page cookie but not the token', async () => {
    server = await start();
    const ok = await fetch(`http://127.0.0.1:${server.port}/?token=${token}`);
    const cookie = ok.headers.get('set-cookie')!.split(';')[0];
    // Another local server the browser visits receives this cookie: it must not reveal the token.
    expect(cookie).not.toContain(token);
    expect(cookie).not.toContain(encodeURIComponent(token));
    await expect(connect(`ws://127.0.0.1:${server.port}/ws`, undefined, { cookie })).rejects.toThrow(/401/);
    await expect(connect(`ws://127.0.0.1:${server.port}/ws`, undefined, { cookie: `tl_token=${token}` })).rejects.toThrow(/401/);
    const ws = await connect(`ws://127.0.0.1:${server.port}/ws?token=${token}`, `http://127.0.0.1:${server.port}`, { cookie });
    ws.close();
  });

  it('answers only to its own names as Host and Origin, even with the token (DNS rebinding)', async () => {
    server = await start();
    const { port } = server;
    const evil = `evil.example:${port}`;
    expect(await status(port, `/?token=${token}`, { host: evil })).toBe(403);
    expect(await status(port, `/?token=${token}`, { host: `127.0.0.1:${port + 1}` })).toBe(403);
    await expect(connect(`ws://127.0.0.1:${port}/ws?token=${token}`, `http://${evil}`, { host: evil })).rejects.toThrow(/403/);
    await expect(connect(`ws://127.0.0.1:${port}/ws?token=${token}`, undefined, { host: evil })).rejects.toThrow(/403/);
    await expect(connect(`ws://127.0.0.1:${port}/ws?token=${token}`, `http://${evil}`)).rejects.toThrow(/403/);
    for (const name of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
      expect(await status(port, `/?token=${token}`, { host: name })).toBe(200);
      const ws = await connect(`ws://127.0.0.1:${port}/ws?token=${token}`, `http://localhost:${port}`, { host: name });
      ws.close();
    }
  });

  it('never serves files outside the renderer folder', async () => {
    server = await start();
    const res = await fetch(`http://127.0.0.1:${server.port}/..%2f..%2f..%2fetc%2fpasswd?token=${token}`);
    expect(res.status).toBe(404);
  });

  it('refuses a WebSocket without or with a wrong token', async () => {
    server = await start();
    await expect(connect(`ws://127.0.0.1:${server.port}/ws`)).rejects.toThrow(/401/);
    await expect(connect(`ws://127.0.0.1:${server.port}/ws?token=wrong`)).rejects.toThrow(/401/);
  });

  it('refuses a WebSocket opened by a page of another origin, even with the token', async () => {
    server = await start();
    await expect(connect(`ws://127.0.0.1:${server.port}/ws?token=${token}`, 'https://evil.example')).rejects.toThrow(/403/);
    await expect(connect(`ws://127.0.0.1:${server.port}/ws?token=${token}`, `http://127.0.0.1:${server.port + 1}`)).rejects.toThrow(/403/);
    const ok = await connect(`ws://127.0.0.1:${server.port}/ws?token=${token}`, `http://127.0.0.1:${server.port}`);
    ok.close();
  });

  it('answers contract calls and reports malformed frames without closing', async () => {
    server = await start();
    const ws = await connect(`ws://127.0.0.1:${server.port}/ws?token=${token}`);
    expect(await call(ws, { id: 1, method: 'app.info', params: {} })).toMatchObject({ id: 1, ok: true, result: { name: 'Transfer Lab' } });
    expect(await call(ws, '{not json')).toMatchObject({ ok: false, error: { code: 'validation' } });
    expect(await call(ws, { id: 'x' })).toMatchObject({ ok: false });
    expect(await call(ws, { id: 2, method: 'app.info', params: { extra: 1 } })).toMatchObject({ id: 2, ok: false, error: { code: 'validation' } });
    expect(await call(ws, { id: 3, method: 'app.info', params: {} })).toMatchObject({ id: 3, ok: true });
    ws.close();
  });

  it('broadcasts contract events to connected sockets', async () => {
    server = await start();
    const ws = await connect(`ws://127.0.0.1:${server.port}/ws?token=${token}`);
    const got = new Promise<any>((resolve) => ws.once('message', (d) => resolve(JSON.parse(String(d)))));
    for (const l of listeners) l({ event: 'training.queue', payload: { running: [], queued: [], workers: 1 } });
    expect(await got).toEqual({ event: 'training.queue', payload: { running: [], queued: [], workers: 1 } });
    ws.close();
  });

  it('says clearly when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    await expect(start(port)).rejects.toThrow(PortInUseError);
    await expect(start(port)).rejects.toThrow(`Port ${port} on 127.0.0.1 is already in use`);
    blocker.close();
  });
});
