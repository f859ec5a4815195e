// Browser mode's GPU tab: its worker script and its socket, on the real server with the real slot
// the training queue reads. Same token rules as /ws (teacher only), one tab at a time, frames in
// the window protocol's binary framing.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Handlers } from '../contract/index.js';
import { WINDOW_WORKER_CSP } from '../security/content-security-policy.js';
import { createDispatcher } from '../services/dispatcher.js';
import { TabWindowSlot } from '../services/training/window-source.js';
import type { ToWindow, WindowLink } from '../worker-protocol/window.js';
import { CLOSE, decodeFrame, encodeFrame } from '../worker-protocol/window-socket.js';
import { startServer, type RunningServer } from './http-server.js';

const root = mkdtempSync(join(tmpdir(), 'tl-window-'));
const staticDir = join(root, 'renderer');
const workerDir = join(root, 'window-worker');
mkdirSync(staticDir);
mkdirSync(workerDir);
writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Transfer Lab</title>');
writeFileSync(join(workerDir, 'window-worker.js'), 'self.onmessage = () => {};');
const token = 'test-token-window';
const classToken = 'class-token-window';

let server: RunningServer | null = null;
let slot: TabWindowSlot;
const attached: Array<WindowLink<ToWindow>> = [];
afterEach(async () => {
  await server?.close();
  server = null;
  attached.length = 0;
});

async function start() {
  slot = new TabWindowSlot();
  server = await startServer({
    host: '127.0.0.1', port: 0, token, staticDir,
    dispatch: createDispatcher({} as Handlers),
    subscribe: () => () => undefined,
    lab: { classToken, claim: () => ({ ok: true, student: 'Ada' }) as never, verify: (name) => name, uploadDir: () => root },
    windowWorker: { dir: workerDir, attach: (link) => { const refusal = slot.attach(link); if (!refusal) attached.push(link); return refusal; } },
  });
  return server;
}

const origin = () => `http://127.0.0.1:${server!.port}`;
function open(query: string, opts: { origin?: string } = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server!.port}/window-worker?${query}`, { origin: opts.origin ?? origin() });
    ws.binaryType = 'arraybuffer';
    ws.on('open', () => resolve(ws));
    ws.on('error', reject);
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}
const closeOf = (ws: WebSocket) => new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: String(reason) })));

function get(path: string, cookie?: string): Promise<{ status: number; csp: string | undefined; body: string; cookie: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server!.port, path, headers: { ...(cookie ? { cookie } : {}) } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, csp: res.headers['content-security-policy'] as string | undefined, body, cookie: res.headers['set-cookie']?.[0]?.split(';')[0] }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('GPU tab: worker script', () => {
  it('is served with its own narrow policy to a page opened with the token, and nothing outside its folder', async () => {
    await start();
    const page = await get(`/?token=${token}`);
    expect(page.status).toBe(200);
    const script = await get('/window-worker/window-worker.js', page.cookie);
    expect(script.status).toBe(200);
    expect(script.body).toContain('self.onmessage');
    expect(script.csp).toBe(WINDOW_WORKER_CSP);
    expect((await get('/window-worker/window-worker.js')).status).toBe(401);
    expect((await get('/window-worker/../renderer/index.html', page.cookie)).status).toBe(404);
    expect((await get('/window-worker/%2e%2e/renderer/index.html', page.cookie)).status).toBe(404);
  });
});

describe('GPU tab: socket', () => {
  it('needs the teacher token and the server own origin; a student is refused', async () => {
    await start();
    await expect(open('')).rejects.toThrow('HTTP 401');
    await expect(open('token=wrong')).rejects.toThrow('HTTP 401');
    await expect(open(`token=${token}`, { origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(open(`class=${classToken}&student=Ada&secret=s`)).rejects.toThrow('HTTP 403');
    expect(attached).toHaveLength(0);
  });

  it('connects one tab, carries binary frames both ways, and refuses a second tab with a reason', async () => {
    await start();
    const tab = await open(`token=${token}`);
    await expect.poll(() => attached.length).toBe(1);
    expect(slot.state()).toMatchObject({ offered: true, connected: true });

    const atHost = new Promise<unknown>((r) => attached[0].onMessage(r));
    tab.send(encodeFrame({ type: 'hostCall', callId: 3, call: { op: 'cachePut', key: 'f0'.repeat(8), data: new Float32Array([1, 2]) } }));
    const call = (await atHost) as { call: { data: Float32Array } };
    expect(call.call.data).toBeInstanceOf(Float32Array);

    const atTab = new Promise<unknown>((r) => tab.once('message', (d) => r(decodeFrame(new Uint8Array(d as ArrayBuffer)))));
    attached[0].post({ type: 'cancel', runId: 'r1' });
    expect(await atTab).toEqual({ type: 'cancel', runId: 'r1' });

    const second = await open(`token=${token}`);
    const refused = await closeOf(second);
    expect(refused.code).toBe(CLOSE.busy);
    expect(refused.reason).toMatch(/Another tab is already training/);
    expect(attached).toHaveLength(1);
  });

  it('a closed tab frees the slot with the reason, and the next tab may connect', async () => {
    await start();
    const tab = await open(`token=${token}`);
    await expect.poll(() => attached.length).toBe(1);
    const reason = new Promise<string>((r) => attached[0].onClose(r));
    tab.close(1001);
    expect(await reason).toBe("The tab training on this computer's GPU was closed.");
    expect(slot.state().connected).toBe(false);
    expect(slot.state().reason).toContain('was closed');
    await open(`token=${token}`);
    await expect.poll(() => attached.length).toBe(2);
  });
});
