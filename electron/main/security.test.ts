import { beforeEach, describe, expect, it, vi } from 'vitest';

// Electron does not run on every machine: the main-process modules are tested against a mocked
// `electron` that records what they register.
const h = vi.hoisted(() => ({
  appListeners: new Map<string, (...a: any[]) => void>(),
  permissionHandler: null as null | ((wc: unknown, p: string, cb: (ok: boolean) => void) => void),
  headersHandler: null as null | ((d: any, cb: (r: any) => void) => void),
  dialogResponse: 0,
  opened: [] as string[],
}));
vi.mock('electron', () => ({
  app: { on: (name: string, fn: (...a: any[]) => void) => h.appListeners.set(name, fn) },
  dialog: { showMessageBox: vi.fn(async () => ({ response: h.dialogResponse })) },
  shell: { openExternal: vi.fn(async (url: string) => void h.opened.push(url)) },
  session: {
    defaultSession: {
      setPermissionRequestHandler: (fn: any) => (h.permissionHandler = fn),
      setPermissionCheckHandler: vi.fn(),
      webRequest: { onHeadersReceived: (fn: any) => (h.headersHandler = fn) },
    },
  },
}));

const { confirmAndOpenExternal, isAppUrl, setupSecurity } = await import('./security.js');
const { CSP } = await import('../security/content-security-policy.js');
const entry = 'file:///opt/transfer-lab/dist/renderer/index.html';

function fakeContents() {
  const listeners = new Map<string, (...a: any[]) => void>();
  let openHandler: ((d: { url: string }) => { action: string }) | null = null;
  return {
    on: (name: string, fn: (...a: any[]) => void) => listeners.set(name, fn),
    setWindowOpenHandler: (fn: any) => (openHandler = fn),
    emit: (name: string, ...args: any[]) => listeners.get(name)?.(...args),
    open: (url: string) => openHandler!({ url }),
  };
}

beforeEach(() => {
  h.opened.length = 0;
  h.dialogResponse = 0;
});

describe('window security', () => {
  it('recognises only the app entry as the app', () => {
    expect(isAppUrl(entry + '#train', entry)).toBe(true);
    expect(isAppUrl('file:///etc/passwd', entry)).toBe(false);
    expect(isAppUrl('https://example.org/', entry)).toBe(false);
    expect(isAppUrl('not a url', entry)).toBe(false);
  });

  it('denies every permission and sets the CSP header', () => {
    setupSecurity(() => entry);
    let granted: boolean | null = null;
    h.permissionHandler!({}, 'media', (ok) => (granted = ok));
    expect(granted).toBe(false);
    let headers: any;
    h.headersHandler!({ responseHeaders: {} }, (r) => (headers = r.responseHeaders));
    expect(headers['Content-Security-Policy']).toEqual([CSP]);
    // The renderer runs no WebAssembly and no eval: training lives in the worker process.
    expect(CSP).toContain("script-src 'self';");
    expect(CSP).not.toMatch(/unsafe-eval|unsafe-inline'; script/);
  });

  it('blocks navigation away from the app and every new window', () => {
    setupSecurity(() => entry);
    const wc = fakeContents();
    h.appListeners.get('web-contents-created')!({}, wc);
    const away = { preventDefault: vi.fn() };
    wc.emit('will-navigate', away, 'https://evil.example/');
    expect(away.preventDefault).toHaveBeenCalled();
    const stay = { preventDefault: vi.fn() };
    wc.emit('will-navigate', stay, entry);
    expect(stay.preventDefault).not.toHaveBeenCalled();
    expect(wc.open('https://example.org/')).toEqual({ action: 'deny' });
  });

  it('opens only http(s) links, and only after the user confirms', async () => {
    expect(await confirmAndOpenExternal('file:///etc/passwd')).toBe(false);
    expect(await confirmAndOpenExternal('javascript:alert(1)')).toBe(false);
    h.dialogResponse = 1; // Cancel
    expect(await confirmAndOpenExternal('https://www.tensorflow.org/js')).toBe(false);
    h.dialogResponse = 0;
    expect(await confirmAndOpenExternal('https://www.tensorflow.org/js')).toBe(true);
    expect(h.opened).toEqual(['https://www.tensorflow.org/js']);
  });
});
