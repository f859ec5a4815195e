import { describe, expect, it, vi } from 'vitest';

// A stand-in for Electron's utilityProcess child: an EventEmitter with postMessage/kill, so the
// spawner's wiring (messages in, crash reasons out) can be checked where Electron cannot run.
const h = vi.hoisted(() => ({ children: [] as any[], app: null as any, forkArgs: [] as unknown[] }));
vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  h.app = new Emitter();
  return {
    app: h.app,
    utilityProcess: {
      fork: (...args: unknown[]) => {
        h.forkArgs = args;
        const child = Object.assign(new Emitter(), { pid: 4242, postMessage: vi.fn(), kill: vi.fn(() => true) });
        h.children.push(child);
        return child;
      },
    },
  };
});

const { utilityWorkerSpawner } = await import('./worker-process.js');

describe('utility-process worker', () => {
  it('forks the worker entry as a named utility process and relays messages both ways', () => {
    const onMessage = vi.fn();
    const handle = utilityWorkerSpawner('/app/dist/electron/worker.cjs')({ onMessage, onExit: vi.fn() });
    expect(h.forkArgs[0]).toBe('/app/dist/electron/worker.cjs');
    expect(h.forkArgs[2]).toMatchObject({ serviceName: 'Transfer Lab training' });
    const child = h.children.at(-1);
    child.emit('message', { type: 'ready', pid: 4242 });
    expect(onMessage).toHaveBeenCalledWith({ type: 'ready', pid: 4242 });
    handle.send({ type: 'cancel', runId: 'r1' });
    expect(child.postMessage).toHaveBeenCalledWith({ type: 'cancel', runId: 'r1' });
    expect(handle.pid).toBe(4242);
  });

  it('reports a crash with the reason Electron gives', () => {
    const onExit = vi.fn();
    const listenersBefore = h.app.listenerCount('child-process-gone');
    utilityWorkerSpawner('/w.cjs')({ onMessage: vi.fn(), onExit });
    const child = h.children.at(-1);
    h.app.emit('child-process-gone', {}, { type: 'Utility', name: 'Transfer Lab training', reason: 'crashed', exitCode: 139 });
    child.emit('exit', 139);
    expect(onExit).toHaveBeenCalledWith('The training process crashed (exit code 139).');
    expect(h.app.listenerCount('child-process-gone')).toBe(listenersBefore);
  });

  it('reports a plain exit when Electron gives no reason', () => {
    const onExit = vi.fn();
    utilityWorkerSpawner('/w.cjs')({ onMessage: vi.fn(), onExit });
    h.children.at(-1).emit('exit', 3);
    expect(onExit).toHaveBeenCalledWith('The training process exited unexpectedly (exit code 3).');
  });
});
