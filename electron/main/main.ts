// Electron entry: one concern per module, set up in order once the app is ready.
import { app, BrowserWindow, dialog } from 'electron';
import { createAppServices, type AppServices } from '../services/app-services.js';
import { bindIpc, forwardEvents, type IpcBinding } from './ipc.js';
import { setupMenu } from './menu.js';
import { appPaths } from './paths.js';
import { confirmAndOpenExternal, setupSecurity } from './security.js';
import { showStartupError } from './startup-error.js';
import { createMainWindow, rendererEntry } from './window.js';
import { HiddenGpuWindow, windowWorkerPage } from './window-worker.js';
import { utilityWorkerSpawner } from './worker-process.js';

let mainWindow: BrowserWindow | null = null;
let services: AppServices | null = null;
let ipc: IpcBinding | null = null;
let gpuWindow: HiddenGpuWindow | null = null;

if (!app.requestSingleInstanceLock()) app.quit();

app.on('second-instance', () => {
  if (mainWindow?.isMinimized()) mainWindow.restore();
  mainWindow?.focus();
});

app.whenReady().then(() => {
  const paths = appPaths();
  const entry = () => rendererEntry(paths.rendererDir);
  setupSecurity(entry);
  setupMenu();
  const log = (m: string) => console.error(`[transfer-lab] ${m}`);
  // The window GPU rung: a hidden window, started on the first run that trains there.
  gpuWindow = new HiddenGpuWindow({ page: windowWorkerPage(paths.windowWorkerDir), preload: paths.windowWorkerPreload, log });
  try {
    services = createAppServices({
      dataDir: paths.dataDir,
      resourcesDir: paths.resourcesDir,
      mode: 'electron',
      version: app.getVersion(),
      spawnWorker: utilityWorkerSpawner(paths.worker),
      pickFolder: async (title) => {
        const r = await dialog.showOpenDialog(mainWindow!, { title: title ?? 'Choose a folder', properties: ['openDirectory'] });
        return r.canceled ? null : (r.filePaths[0] ?? null);
      },
      openExternal: confirmAndOpenExternal,
      log,
      windowGpu: gpuWindow,
    });
  } catch (e) {
    // E.g. a database from a newer version or a damaged one: say so plainly instead of a blank window.
    showStartupError(e);
    app.quit();
    return;
  }
  mainWindow = createMainWindow({ rendererDir: paths.rendererDir, preload: paths.preload });
  // Kept after the window closes, so the page's last calls (a pending lesson-position save sent on
  // pagehide) are still recognised as ours and answered before the services close.
  const ours = mainWindow.webContents;
  ipc = bindIpc(services.dispatch, () => ours, entry);
  forwardEvents(services.subscribe, () => ours);
  mainWindow.on('closed', () => {
    mainWindow = null;
    // The hidden GPU window would otherwise keep the app alive ('window-all-closed' counts it).
    gpuWindow?.close();
  });
});

app.on('window-all-closed', async () => {
  await ipc?.drain();
  services?.close();
  gpuWindow?.close();
  app.quit();
});
