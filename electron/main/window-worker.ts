// The desktop app's window GPU rung: a hidden, sandboxed BrowserWindow that runs the window
// worker's bundle (tfjs on WebGPU or WebGL) on whatever GPU Chromium sees. It has no Node, its own
// preload that hands over exactly one MessagePort, its own session (strict CSP header, every
// permission denied) and may not navigate or open windows. Main keeps the other end of the port as
// the link the training queue drives; the window crashing, hanging or closing ends that link with
// the reason, so the run it had fails and the queue goes on. Started on the first job that asks.
import { app, BrowserWindow, MessageChannelMain, session, type BrowserWindowConstructorOptions, type MessagePortMain, type Session, type WebContents } from 'electron';
import { hostname } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { WindowGpuState } from '../contract/index.js';
import { WINDOW_WORKER_CSP } from '../security/content-security-policy.js';
import type { WindowGpuSource } from '../services/training/window-source.js';
import type { ToWindow, WindowLink } from '../worker-protocol/window.js';
import { ArrivingAtHost } from '../worker-protocol/window-socket.js';

/** The hidden window's own session: nothing it loads shares cookies, storage or permissions with the app window. */
export const WINDOW_WORKER_PARTITION = 'transfer-lab-gpu-window';

/** How long the page may take to load and take its port before the start counts as failed. */
const START_TIMEOUT_MS = 60_000;

export function windowWorkerOptions(preload: string): BrowserWindowConstructorOptions {
  return {
    show: false,
    width: 320,
    height: 240,
    title: 'Transfer Lab GPU training',
    skipTaskbar: true,
    webPreferences: {
      preload,
      partition: WINDOW_WORKER_PARTITION,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      // Training must not slow down because the window is never shown.
      backgroundThrottling: false,
    },
  };
}

/** Whether Chromium here has a GPU for WebGL (WebGPU rides on the same): software rendering is not offered. */
export function gpuOffer(status: Partial<Record<string, string>>): { offered: boolean; reason: string } {
  const webgl = status.webgl ?? 'unknown';
  const webgpu = status.webgpu;
  if (webgl.startsWith('enabled') || webgpu?.startsWith('enabled')) {
    return { offered: true, reason: `Chromium reports a GPU (WebGL ${webgl}${webgpu ? `, WebGPU ${webgpu}` : ''}); a hidden window trains there on the first run that asks.` };
  }
  return { offered: false, reason: `Chromium in this app has no hardware GPU for WebGL (it reports "${webgl}"): drivers missing, the GPU blocklisted, or hardware acceleration off.` };
}

/** The window's session: the worker page's CSP on every response, all permissions denied, no downloads. */
const secured = new WeakSet<Session>();
export function secureWindowSession(s: Session) {
  if (secured.has(s)) return;
  secured.add(s);
  s.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  s.setPermissionCheckHandler(() => false);
  s.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [WINDOW_WORKER_CSP] } });
  });
  s.on('will-download', (event) => event.preventDefault());
}

/** The window's contents may not navigate, open windows or attach webviews: it stays on its page. */
export function lockContents(contents: WebContents, page: string) {
  contents.on('will-navigate', (event, url) => { if (url !== page) event.preventDefault(); });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** Main's end of the port as a link: arrivals checked against the protocol, one close with its reason. */
export function portLink(port: MessagePortMain, log: (msg: string) => void): WindowLink<ToWindow> & { end(reason: string): void } {
  const handlers: Array<(raw: unknown) => void> = [];
  const closers: Array<(reason: string) => void> = [];
  let closed: string | null = null;
  const end = (reason: string) => {
    if (closed !== null) return;
    closed = reason;
    port.close();
    for (const c of closers) c(reason);
  };
  port.on('message', ({ data }) => {
    const parsed = ArrivingAtHost.safeParse(data);
    if (!parsed.success) return log('ignored a malformed message from the GPU window');
    for (const h of handlers) h(parsed.data);
  });
  port.on('close', () => end('The GPU window closed its connection.'));
  port.start();
  return {
    post(message) {
      if (closed !== null) throw new Error(`The GPU window is gone: ${closed}`);
      port.postMessage(message);
    },
    onMessage: (h) => { handlers.push(h); },
    onClose: (h) => {
      closers.push(h);
      if (closed !== null) h(closed);
    },
    close: () => end('The GPU window was closed by the app.'),
    end,
  };
}

/** The hidden window as the training queue's window source: started on first use, again after it died. */
export class HiddenGpuWindow implements WindowGpuSource {
  readonly machine = hostname();
  readonly startsOnDemand = true;
  private window: BrowserWindow | null = null;
  private link: Promise<WindowLink<ToWindow>> | null = null;
  private gpuName: string | null = null;
  private offer: { offered: boolean; reason: string };
  private lastEnded: string | null = null;

  constructor(private opts: { page: string; preload: string; log: (msg: string) => void }) {
    this.offer = gpuOffer(app.getGPUFeatureStatus() as unknown as Record<string, string>);
    // The renderer string names the GPU ("ANGLE (NVIDIA, …)") for the device panel.
    void app.getGPUInfo('complete').then((info) => {
      const renderer = (info as { auxAttributes?: { glRenderer?: string } }).auxAttributes?.glRenderer;
      if (renderer) this.gpuName = renderer;
    }, () => undefined);
  }

  state(): WindowGpuState {
    if (!this.offer.offered) return { offered: false, connected: false, gpuName: null, reason: this.offer.reason };
    const ended = this.lastEnded ? ` The last window ended: ${this.lastEnded}` : '';
    return { offered: true, connected: this.window !== null, gpuName: this.gpuName, reason: `${this.offer.reason}${ended}` };
  }

  connect(): Promise<WindowLink<ToWindow> | null> {
    if (!this.offer.offered) return Promise.resolve(null);
    this.link ??= this.open();
    // A window that failed to start is reported to the job (a clear error) and tried afresh next time.
    return this.link.catch((e: unknown) => {
      this.link = null;
      throw e;
    });
  }

  private open(): Promise<WindowLink<ToWindow>> {
    const s = session.fromPartition(WINDOW_WORKER_PARTITION);
    secureWindowSession(s);
    const win = new BrowserWindow(windowWorkerOptions(this.opts.preload));
    this.window = win;
    const contents = win.webContents;
    lockContents(contents, this.opts.page);
    const { port1, port2 } = new MessageChannelMain();
    const link = portLink(port1, this.opts.log);
    const gone = (reason: string) => {
      if (this.window === win) {
        this.window = null;
        this.link = null;
        this.lastEnded = reason;
      }
      link.end(reason);
      if (!win.isDestroyed()) win.destroy();
    };
    contents.on('render-process-gone', (_e, details) => gone(`The GPU window's renderer ${details.reason.replace(/-/g, ' ')} (exit code ${details.exitCode}).`));
    contents.on('unresponsive', () => gone('The GPU window stopped responding (its GPU may be hung).'));
    win.on('closed', () => gone('The GPU window was closed.'));
    link.onClose((reason) => gone(reason));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error('The GPU window did not start in time.')); gone('The GPU window did not start in time.'); }, START_TIMEOUT_MS);
      contents.once('did-fail-load', (_e, code, description) => {
        clearTimeout(timer);
        reject(new Error(`The GPU window's page could not load: ${description} (${code}).`));
        gone(`its page could not load (${description})`);
      });
      contents.once('did-finish-load', () => {
        clearTimeout(timer);
        // The preload passes this port on to the page; nothing else crosses into it.
        contents.postMessage('port', null, [port2]);
        resolve(link);
      });
      void win.loadURL(this.opts.page);
    });
  }

  close() {
    if (this.window && !this.window.isDestroyed()) this.window.destroy();
  }
}

/** The page the hidden window loads: the window worker's bundle beside the app's build. */
export const windowWorkerPage = (dir: string) => pathToFileURL(`${dir}/index.html`).toString();
