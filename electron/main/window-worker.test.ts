import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';

// Electron does not run on every machine: the hidden GPU window is checked against a stand-in
// `electron` that records the options, handlers and messages it is given (as security.test.ts does
// for the app window). The ports are real objects with the MessagePortMain surface.
const h = vi.hoisted(() => ({
  windows: [] as any[],
  sessions: new Map<string, any>(),
  gpuStatus: { webgl: 'enabled', webgpu: 'enabled' } as Record<string, string>,
  channels: [] as any[],
}));
vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  class Port extends Emitter {
    other: Port | null = null;
    sent: unknown[] = [];
    closed = false;
    start = vi.fn();
    postMessage(m: unknown) { this.sent.push(m); }
    close() {
      if (this.closed) return;
      this.closed = true;
      this.other?.emit('close');
    }
  }
  const makeSession = () => {
    const s: any = new Emitter();
    s.setPermissionRequestHandler = (fn: any) => (s.permission = fn);
    s.setPermissionCheckHandler = (fn: any) => (s.check = fn);
    s.webRequest = { onHeadersReceived: (fn: any) => (s.headers = fn) };
    return s;
  };
  class FakeWindow extends Emitter {
    destroyed = false;
    webContents: any;
    constructor(public options: any) {
      super();
      const wc: any = new Emitter();
      wc.posted = [] as unknown[];
      wc.postMessage = (channel: string, msg: unknown, ports: unknown[]) => wc.posted.push({ channel, msg, ports });
      wc.setWindowOpenHandler = (fn: any) => (wc.openHandler = fn);
      this.webContents = wc;
      h.windows.push(this);
    }
    loadURL = vi.fn(async () => undefined);
    isDestroyed() { return this.destroyed; }
    destroy() {
      if (this.destroyed) return;
      this.destroyed = true;
      this.emit('closed');
    }
  }
  return {
    app: {
      getGPUFeatureStatus: () => h.gpuStatus,
      getGPUInfo: async () => ({ auxAttributes: { glRenderer: 'ANGLE (Test GPU)' } }),
    },
    BrowserWindow: FakeWindow,
    MessageChannelMain: class {
      port1 = new Port();
      port2 = new Port();
      constructor() {
        this.port1.other = this.port2;
        this.port2.other = this.port1;
        h.channels.push(this);
      }
    },
    session: { fromPartition: (name: string) => (h.sessions.get(name) ?? h.sessions.set(name, makeSession()).get(name)) },
  };
});

const { HiddenGpuWindow, WINDOW_WORKER_PARTITION, gpuOffer, lockContents, portLink, secureWindowSession, windowWorkerOptions } = await import('./window-worker.js');
const { WINDOW_WORKER_CSP, CSP } = await import('../security/content-security-policy.js');
const page = 'file:///opt/transfer-lab/dist/window-worker/index.html';

beforeEach(() => {
  h.windows.length = 0;
  h.channels.length = 0;
  h.gpuStatus = { webgl: 'enabled', webgpu: 'enabled' };
});

/** Starts the hidden window and lets its page "load"; resolves with the link and the fakes. */
async function started() {
  const logs: string[] = [];
  const gpu = new HiddenGpuWindow({ page, preload: '/app/dist/electron/window-worker-preload.cjs', log: (m) => logs.push(m) });
  const linkP = gpu.connect();
  const win = h.windows.at(-1);
  win.webContents.emit('did-finish-load');
  const link = (await linkP)!;
  return { gpu, link, win, logs, channel: h.channels.at(-1) };
}

describe('hidden GPU window: security settings', () => {
  it('is hidden, sandboxed, isolated, without Node, on its own session', () => {
    const o = windowWorkerOptions('/app/preload.cjs');
    expect(o.show).toBe(false);
    expect(o.webPreferences).toMatchObject({
      preload: '/app/preload.cjs', partition: WINDOW_WORKER_PARTITION,
      sandbox: true, contextIsolation: true, nodeIntegration: false, nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false, webSecurity: true, allowRunningInsecureContent: false, webviewTag: false,
    });
    expect(WINDOW_WORKER_PARTITION).not.toMatch(/^persist:/); // nothing it stores outlives the app
  });

  it('its session denies every permission and sends the worker CSP, which allows no eval and nothing remote', () => {
    const s: any = new EventEmitter();
    s.setPermissionRequestHandler = (fn: any) => (s.permission = fn);
    s.setPermissionCheckHandler = (fn: any) => (s.check = fn);
    s.webRequest = { onHeadersReceived: (fn: any) => (s.headers = fn) };
    secureWindowSession(s);
    let granted: boolean | null = null;
    s.permission({}, 'media', (ok: boolean) => (granted = ok));
    expect(granted).toBe(false);
    expect(s.check()).toBe(false);
    let headers: any;
    s.headers({ responseHeaders: { 'X-Other': ['1'] } }, (r: any) => (headers = r.responseHeaders));
    expect(headers['Content-Security-Policy']).toEqual([WINDOW_WORKER_CSP]);
    expect(headers['X-Other']).toEqual(['1']);
    expect(WINDOW_WORKER_CSP).toContain("default-src 'none'");
    expect(WINDOW_WORKER_CSP).toContain("script-src 'self';");
    expect(WINDOW_WORKER_CSP).not.toMatch(/unsafe|wasm|\*|https?:/);
    const download = { preventDefault: vi.fn() };
    s.emit('will-download', download);
    expect(download.preventDefault).toHaveBeenCalled();
  });

  it('the app page may start the worker from its own origin, still without eval', () => {
    expect(CSP).toContain("worker-src 'self'");
    expect(CSP).not.toMatch(/unsafe-eval|wasm-unsafe-eval/);
  });

  it('may not navigate, redirect, attach webviews or open windows', () => {
    const wc: any = new EventEmitter();
    wc.setWindowOpenHandler = (fn: any) => (wc.openHandler = fn);
    lockContents(wc, page);
    for (const [event, url] of [['will-navigate', 'https://evil.example/'], ['will-navigate', 'file:///etc/passwd'], ['will-redirect', page], ['will-attach-webview', undefined]] as const) {
      const e = { preventDefault: vi.fn() };
      wc.emit(event, e, url);
      expect(e.preventDefault, `${event} ${url}`).toHaveBeenCalled();
    }
    const stay = { preventDefault: vi.fn() };
    wc.emit('will-navigate', stay, page);
    expect(stay.preventDefault).not.toHaveBeenCalled();
    expect(wc.openHandler({ url: 'https://example.org/' })).toEqual({ action: 'deny' });
  });

  it('is offered only where Chromium has a hardware GPU for WebGL or WebGPU', () => {
    expect(gpuOffer({ webgl: 'enabled', webgpu: 'disabled_off' }).offered).toBe(true);
    expect(gpuOffer({ webgl: 'disabled_off', webgpu: 'enabled' }).offered).toBe(true);
    const off = gpuOffer({ webgl: 'unavailable_software' });
    expect(off.offered).toBe(false);
    expect(off.reason).toMatch(/no hardware GPU for WebGL.*unavailable_software/);
  });
});

describe('hidden GPU window: lifecycle', () => {
  it('starts lazily, on its own locked session, and hands the page exactly one port once it loaded', async () => {
    const gpu = new HiddenGpuWindow({ page, preload: '/p.cjs', log: () => {} });
    expect(h.windows).toHaveLength(0);
    expect(gpu.state()).toMatchObject({ offered: true, connected: false });
    const { win, channel } = await started();
    expect(win.options.webPreferences.sandbox).toBe(true);
    expect(win.loadURL).toHaveBeenCalledWith(page);
    expect(win.webContents.posted).toEqual([{ channel: 'port', msg: null, ports: [channel.port2] }]);
    expect(h.sessions.get(WINDOW_WORKER_PARTITION).headers).toBeTypeOf('function');
    const nav = { preventDefault: vi.fn() };
    win.webContents.emit('will-navigate', nav, 'https://evil.example/');
    expect(nav.preventDefault).toHaveBeenCalled();
  });

  it('is not started where it is not offered', async () => {
    h.gpuStatus = { webgl: 'unavailable_off' };
    const gpu = new HiddenGpuWindow({ page, preload: '/p.cjs', log: () => {} });
    expect(await gpu.connect()).toBeNull();
    expect(h.windows).toHaveLength(0);
    expect(gpu.state()).toMatchObject({ offered: false, connected: false });
  });

  it('a crashed renderer closes the link with the reason; the next connect starts a new window', async () => {
    const { gpu, link, win } = await started();
    const reasons: string[] = [];
    link.onClose((r) => reasons.push(r));
    win.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
    expect(reasons).toEqual(["The GPU window's renderer crashed (exit code 139)."]);
    expect(win.destroyed).toBe(true);
    expect(gpu.state()).toMatchObject({ connected: false });
    expect(gpu.state().reason).toContain('crashed');
    const next = gpu.connect();
    expect(h.windows).toHaveLength(2);
    h.windows[1].webContents.emit('did-finish-load');
    expect(await next).not.toBe(link);
  });

  it('a hung window is ended with the reason', async () => {
    const { link, win } = await started();
    const reason = new Promise<string>((r) => link.onClose(r));
    win.webContents.emit('unresponsive');
    expect(await reason).toBe('The GPU window stopped responding (its GPU may be hung).');
  });

  it('a page that fails to load fails the connect with the reason and is tried afresh', async () => {
    const gpu = new HiddenGpuWindow({ page, preload: '/p.cjs', log: () => {} });
    const first = gpu.connect();
    h.windows[0].webContents.emit('did-fail-load', {}, -6, 'ERR_FILE_NOT_FOUND');
    await expect(first).rejects.toThrow(/could not load: ERR_FILE_NOT_FOUND/);
    void gpu.connect();
    expect(h.windows).toHaveLength(2);
  });
});

describe('the port as a link', () => {
  it('passes on only messages of the protocol, and posts after a close are errors', async () => {
    const { link, channel, logs } = await started();
    const got: unknown[] = [];
    link.onMessage((m) => got.push(m));
    channel.port1.emit('message', { data: { type: 'gpuLost', reason: 'context lost' } });
    channel.port1.emit('message', { data: { type: 'exec', code: 'require("fs")' } });
    expect(got).toEqual([{ type: 'gpuLost', reason: 'context lost' }]);
    expect(logs).toEqual(['ignored a malformed message from the GPU window']);
    link.post({ type: 'cancel', runId: 'r1' });
    expect(channel.port1.sent).toEqual([{ type: 'cancel', runId: 'r1' }]);
    const reason = new Promise<string>((r) => link.onClose(r));
    channel.port2.close(); // the page's end went away
    expect(await reason).toBe('The GPU window closed its connection.');
    expect(() => link.post({ type: 'cancel', runId: 'r1' })).toThrow(/GPU window is gone/);
  });

  it('closing the link closes its port', () => {
    const port: any = Object.assign(new EventEmitter(), { start: vi.fn(), postMessage: vi.fn(), close: vi.fn() });
    const link = portLink(port, () => {});
    const reasons: string[] = [];
    link.onClose((r) => reasons.push(r));
    link.close();
    link.close();
    expect(port.close).toHaveBeenCalled();
    expect(reasons).toEqual(['The GPU window was closed by the app.']);
  });
});
