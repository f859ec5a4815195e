// Exposes exactly one object to the renderer: the contract client (invoke a method, listen to an
// event). Names outside the contract are refused here, before anything reaches the main process.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { isEventName, isMethodName } from '../contract/index.js';

contextBridge.exposeInMainWorld('transferLab', {
  invoke(method: string, params: unknown) {
    if (!isMethodName(method)) return Promise.resolve({ id: 0, ok: false, error: { code: 'unknown-method', message: `Unknown method: ${method}` } });
    return ipcRenderer.invoke(method, params);
  },
  on(event: string, listener: (payload: unknown) => void) {
    if (!isEventName(event)) throw new Error(`Unknown event: ${event}`);
    const handler = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(event, handler);
    return () => ipcRenderer.removeListener(event, handler);
  },
});
