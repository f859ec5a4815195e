// Binds the contract to Electron IPC: one handle per contract method (the method name is the
// channel), each call checked to come from our own window's top frame before it is dispatched.
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { methodNames, type WireEvent } from '../contract/index.js';
import type { Dispatch } from '../services/dispatcher.js';
import { isAppUrl } from './security.js';

/** Resolves once every call that has arrived so far has been answered (the last page save among them). */
export interface IpcBinding { drain(): Promise<void> }

export function bindIpc(dispatch: Dispatch, window: () => WebContents | null, appEntry: () => string): IpcBinding {
  const inFlight = new Set<Promise<unknown>>();
  const trusted = (e: IpcMainInvokeEvent) => {
    const wc = window();
    return !!wc && e.sender === wc && !!e.senderFrame && e.senderFrame === wc.mainFrame && isAppUrl(e.senderFrame.url, appEntry());
  };
  for (const method of methodNames) {
    ipcMain.handle(method, async (event, params: unknown) => {
      if (!trusted(event)) return { ok: false, error: { code: 'unauthorized', message: 'Request from an unknown sender was refused.' } };
      const call = dispatch(method, params);
      inFlight.add(call);
      try {
        return await call;
      } finally {
        inFlight.delete(call);
      }
    });
  }
  return {
    async drain() {
      // A message sent from the closing page's pagehide may still be queued: let it arrive first.
      await new Promise((resolve) => setImmediate(resolve));
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

/** Events go only to our window. */
export function forwardEvents(subscribe: (l: (e: WireEvent) => void) => () => void, window: () => WebContents | null) {
  return subscribe(({ event, payload }) => {
    const wc = window();
    if (wc && !wc.isDestroyed()) wc.send(event, payload);
  });
}
