import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
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

function connect(url: string, origin?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
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
    expect((await fetch(`${base}/index.html`, { headers: { cookie: 'tl_token=nope' } })).status).toBe(401);
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
    await expect(connect(`ws://127.0.0.1:${server.port}/ws?token=${token}`, 'https://evil.example')).rejects.toThrow(/401/);
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
    for (const l of listeners) l({ event: 'training.queue', payload: { active: null, queued: [] } });
    expect(await got).toEqual({ event: 'training.queue', payload: { active: null, queued: [] } });
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
