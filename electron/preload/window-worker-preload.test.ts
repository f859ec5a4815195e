import { describe, expect, it, vi } from 'vitest';

// The hidden GPU window's preload, against a stand-in `electron`: it listens for one 'port' message
// and passes its ports to the page, and exposes nothing else (no contextBridge object at all).
const h = vi.hoisted(() => ({ once: new Map<string, (e: unknown) => void>(), on: vi.fn(), exposed: vi.fn(), posted: [] as unknown[][] }));
vi.mock('electron', () => ({
  ipcRenderer: { once: (channel: string, fn: (e: unknown) => void) => h.once.set(channel, fn), on: h.on, invoke: vi.fn(), send: vi.fn() },
  contextBridge: { exposeInMainWorld: h.exposed },
}));
vi.stubGlobal('window', { postMessage: (...args: unknown[]) => h.posted.push(args) });

await import('./window-worker-preload.js');

describe('GPU window preload', () => {
  it('hands the page the one port from main and exposes nothing else', () => {
    expect([...h.once.keys()]).toEqual(['port']);
    expect(h.on).not.toHaveBeenCalled();
    expect(h.exposed).not.toHaveBeenCalled();
    const port = { kind: 'MessagePort' };
    h.once.get('port')!({ ports: [port] });
    expect(h.posted).toEqual([['transfer-lab:port', '*', [port]]]);
  });
});
