import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect as tcpConnect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Handlers, WireEvent } from '../contract/index.js';
import { createDispatcher } from '../services/dispatcher.js';
import { callingStudent } from '../services/roles/caller.js';
import { Lab } from '../services/roles/lab.js';
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

describe('browser-mode server serving a class', () => {
  const classToken = 'class-token-xyz';
  const secret = 's'.repeat(32);
  const uploads = mkdtempSync(join(tmpdir(), 'tl-lab-uploads-'));
  const lab = new Lab({ dataDir: mkdtempSync(join(tmpdir(), 'tl-lab-')) });
  // The dispatcher runs each handler as the socket's caller; this one says who that is.
  const whoHandlers = {
    'lab.me': async () => ({ role: callingStudent() ? 'student' : 'teacher', student: callingStudent(), classSession: '', shared: false }),
  } as unknown as Handlers;
  const startLab = () =>
    startServer({
      host: '127.0.0.1', port: 0, token, staticDir,
      dispatch: createDispatcher(whoHandlers, () => {}, { check: async () => ({ allow: true }) }),
      subscribe: (l) => (listeners.add(l), () => listeners.delete(l)),
      eventVisible: (caller, e) => caller.role === 'teacher' || (e.payload as { runId?: string }).runId === `${caller.role === 'student' ? caller.student : ''}-run`,
      lab: {
        classToken,
        claim: (n, s) => lab.claim(n, s),
        verify: (n, s) => lab.verify(n, s),
        uploadDir: (caller) => join(uploads, caller.role === 'student' ? caller.student : 'teacher'),
      },
    });
  const claim = (port: number, name: string, s: string, cls = classToken) =>
    fetch(`http://127.0.0.1:${port}/lab/claim`, { method: 'POST', headers: { 'X-TL-Class': cls, 'Content-Type': 'application/json' }, body: JSON.stringify({ name, secret: s }) });
  const studentWs = (port: number, name: string, s: string) =>
    connect(`ws://127.0.0.1:${port}/ws?class=${classToken}&student=${encodeURIComponent(name)}&secret=${s}`);

  it('prints a class link that opens the page but, alone, not the socket', async () => {
    server = await startLab();
    expect(server.classUrl).toBe(`http://127.0.0.1:${server.port}/?class=${classToken}`);
    expect((await fetch(server.classUrl!)).status).toBe(200);
    await expect(connect(`ws://127.0.0.1:${server.port}/ws?class=${classToken}`)).rejects.toThrow(/401/);
    await expect(studentWs(server.port, 'Nobody', secret)).rejects.toThrow(/401/);
  });

  it('binds a name to the first browser that claims it; that browser\'s socket is that student', async () => {
    server = await startLab();
    const { port } = server;
    expect(await (await claim(port, 'Zoë', secret)).json()).toEqual({ student: 'Zoë' });
    const taken = await claim(port, 'zoë', 't'.repeat(32));
    expect(taken.status).toBe(409);
    expect((await taken.json()).error).toMatch(/already taken/);
    expect((await claim(port, 'Zoë', secret, 'wrong')).status).toBe(401);
    await expect(studentWs(port, 'Zoë', 't'.repeat(32))).rejects.toThrow(/401/);
    const ws = await studentWs(port, 'Zoë', secret);
    expect(await call(ws, { id: 1, method: 'lab.me', params: {} })).toMatchObject({ ok: true, result: { role: 'student', student: 'Zoë' } });
    const teacher = await connect(`ws://127.0.0.1:${port}/ws?token=${token}`);
    expect(await call(teacher, { id: 2, method: 'lab.me', params: {} })).toMatchObject({ ok: true, result: { role: 'teacher', student: null } });
    ws.close();
    teacher.close();
  });

  it('sends a student only the events the policy shows them, in order', async () => {
    server = await startLab();
    lab.claim('Ana', secret);
    const ws = await studentWs(server.port, 'Ana', secret);
    const got: unknown[] = [];
    const three = new Promise<void>((resolve) => ws.on('message', (d) => (got.push(JSON.parse(String(d)).payload.runId), got.length === 2 && resolve())));
    for (const runId of ['Ben-run', 'Ana-run', 'Ben-run', 'Ana-run']) for (const l of listeners) l({ event: 'training.job', payload: { runId, status: 'running', error: null } });
    await three;
    expect(got).toEqual(['Ana-run', 'Ana-run']);
    ws.close();
  });

  it('takes an upload with the socket\'s credentials into that student\'s folder, and refuses one without', async () => {
    server = await startLab();
    lab.claim('Ana', secret);
    const frame = (path: string, content: string) => {
      const p = Buffer.from(path);
      const c = Buffer.from(content);
      const b = Buffer.alloc(8 + p.length + c.length);
      b.writeUInt32BE(p.length, 0);
      p.copy(b, 4);
      b.writeUInt32BE(c.length, 4 + p.length);
      c.copy(b, 8 + p.length);
      return b;
    };
    const body = Buffer.concat([frame('cats/a.png', 'a'), frame('dogs/b.png', 'b')]);
    const url = `http://127.0.0.1:${server.port}/lab/upload?name=pets`;
    const res = await fetch(url, { method: 'POST', body, headers: { 'X-TL-Class': classToken, 'X-TL-Student': 'Ana', 'X-TL-Secret': secret } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ path: join(uploads, 'Ana', 'pets'), files: 2, skipped: [] });
    const bad = await fetch(url, { method: 'POST', body, headers: { 'X-TL-Class': classToken, 'X-TL-Student': 'Ana', 'X-TL-Secret': 'wrong' } });
    expect(bad.status).toBe(401);
    expect((await bad.json()).error).toMatch(/no valid access/);
    const foreign = await fetch(url, { method: 'POST', body, headers: { 'X-TL-Token': token, Origin: 'http://evil.example' } });
    expect(foreign.status).toBe(403);
    const teacher = await fetch(url, { method: 'POST', body, headers: { 'X-TL-Token': token } });
    expect(await teacher.json()).toMatchObject({ path: join(uploads, 'teacher', 'pets') });
  });
});
