// The app window: isolated, sandboxed renderer with only the preload bridge.
import { BrowserWindow } from 'electron';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

export function createMainWindow(opts: { rendererDir: string; preload: string }): BrowserWindow {
  const win = new BrowserWindow({
    width: 1360,
    height: 880,
    minWidth: 960,
    minHeight: 640,
    title: 'Transfer Lab',
    show: false,
    webPreferences: {
      preload: opts.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(rendererEntry(opts.rendererDir));
  return win;
}

export const rendererEntry = (rendererDir: string) => pathToFileURL(join(rendererDir, 'index.html')).toString();
