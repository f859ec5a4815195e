// Binds the contract to Electron IPC: one handle per contract method (the method name is the
// channel), each call checked to come from our own window's top frame before it is dispatched.
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { methodNames, type WireEvent } from '../contract/index.js';
import type { Dispatch } from '../services/dispatcher.js';
import { isAppUrl } from './security.js';

export function bindIpc(dispatch: Dispatch, window: () => WebContents | null, appEntry: () => string) {
  const trusted = (e: IpcMainInvokeEvent) => {
    const wc = window();
    return !!wc && e.sender === wc && !!e.senderFrame && e.senderFrame === wc.mainFrame && isAppUrl(e.senderFrame.url, appEntry());
  };
  for (const method of methodNames) {
    ipcMain.handle(method, async (event, params: unknown) => {
      if (!trusted(event)) return { ok: false, error: { code: 'unauthorized', message: 'Request from an unknown sender was refused.' } };
      return dispatch(method, params);
    });
  }
}

/** Events go only to our window. */
export function forwardEvents(subscribe: (l: (e: WireEvent) => void) => () => void, window: () => WebContents | null) {
  return subscribe(({ event, payload }) => {
    const wc = window();
    if (wc && !wc.isDestroyed()) wc.send(event, payload);
  });
}
