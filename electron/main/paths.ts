// Where things live in the desktop app: shipped resources beside the app, user data in userData.
import { app } from 'electron';
import { join } from 'node:path';

export function appPaths() {
  const root = app.getAppPath();
  return {
    resourcesDir: app.isPackaged ? join(process.resourcesPath, 'resources') : join(root, 'resources'),
    dataDir: app.getPath('userData'),
    rendererDir: join(root, 'dist/renderer'),
    preload: join(root, 'dist/electron/preload.cjs'),
    worker: join(root, 'dist/electron/worker.cjs'),
    /** The window GPU rung: its hidden page (the window worker's bundle) and that window's own preload. */
    windowWorkerDir: join(root, 'dist/window-worker'),
    windowWorkerPreload: join(root, 'dist/electron/window-worker-preload.cjs'),
  };
}
