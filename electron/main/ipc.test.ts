import { describe, expect, it, vi } from 'vitest';
import { methodNames } from '../contract/index.js';

const handles = vi.hoisted(() => new Map<string, (e: any, p: unknown) => Promise<unknown>>());
vi.mock('electron', () => ({ ipcMain: { handle: (ch: string, fn: any) => handles.set(ch, fn) } }));

const { bindIpc, forwardEvents } = await import('./ipc.js');
const entry = 'file:///app/dist/renderer/index.html';

describe('IPC binding', () => {
  const mainFrame = { url: entry };
  const ours = { mainFrame, send: vi.fn(), isDestroyed: () => false };
  const dispatch = vi.fn(async () => ({ ok: true as const, result: 'fine' }));
  bindIpc(dispatch, () => ours as any, () => entry);

  it('registers exactly one handler per contract method', () => {
    expect([...handles.keys()].sort()).toEqual([...methodNames].sort());
  });

  it('dispatches calls from our window', async () => {
    await expect(handles.get('app.info')!({ sender: ours, senderFrame: mainFrame }, {})).resolves.toEqual({ ok: true, result: 'fine' });
  });

  it('refuses calls from another sender or frame', async () => {
    dispatch.mockClear();
    const stranger = { mainFrame: { url: 'https://evil.example/' } };
    const r1 = await handles.get('settings.set')!({ sender: stranger, senderFrame: stranger.mainFrame }, { studentName: 'x' });
    const r2 = await handles.get('settings.set')!({ sender: ours, senderFrame: { url: entry } }, {});
    const r3 = await handles.get('settings.set')!({ sender: ours, senderFrame: { ...mainFrame, url: 'file:///tmp/x.html' } }, {});
    for (const r of [r1, r2, r3]) expect(r).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('drains calls in flight, so a save sent while the window closes lands before the store closes', async () => {
    const slow = vi.fn();
    let finish!: () => void;
    const pending = new Promise<void>((r) => (finish = r));
    const binding = bindIpc(async () => { await pending; slow(); return { ok: true as const, result: null }; }, () => ours as any, () => entry);
    const call = handles.get('lessons.setPosition')!({ sender: ours, senderFrame: mainFrame }, { lessonId: 'l1', page: 3 });
    let drained = false;
    const drain = binding.drain().then(() => { drained = true; });
    await new Promise((r) => setImmediate(r));
    expect(drained).toBe(false);
    finish();
    await drain;
    expect(slow).toHaveBeenCalledTimes(1);
    await expect(call).resolves.toEqual({ ok: true, result: null });
    bindIpc(dispatch, () => ours as any, () => entry); // restore the shared handlers for the tests below
  });

  it('forwards contract events to our window only', () => {
    let listener: any;
    forwardEvents((l) => ((listener = l), () => {}), () => ours as any);
    listener({ event: 'training.queue', payload: { running: [], queued: [], workers: 1 } });
    expect(ours.send).toHaveBeenCalledWith('training.queue', { running: [], queued: [], workers: 1 });
  });
});
