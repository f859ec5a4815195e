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

  it('forwards contract events to our window only', () => {
    let listener: any;
    forwardEvents((l) => ((listener = l), () => {}), () => ours as any);
    listener({ event: 'training.queue', payload: { active: null, queued: [] } });
    expect(ours.send).toHaveBeenCalledWith('training.queue', { active: null, queued: [] });
  });
});
