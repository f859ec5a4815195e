// Electron entry: one concern per module, set up in order once the app is ready.
import { app, BrowserWindow, dialog } from 'electron';
import { createAppServices, type AppServices } from '../services/app-services.js';
import { bindIpc, forwardEvents } from './ipc.js';
import { setupMenu } from './menu.js';
import { appPaths } from './paths.js';
import { confirmAndOpenExternal, setupSecurity } from './security.js';
import { showStartupError } from './startup-error.js';
import { createMainWindow, rendererEntry } from './window.js';
import { utilityWorkerSpawner } from './worker-process.js';

let mainWindow: BrowserWindow | null = null;
let services: AppServices | null = null;

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
      log: (m) => console.error(`[transfer-lab] ${m}`),
    });
  } catch (e) {
    // E.g. a database from a newer version or a damaged one: say so plainly instead of a blank window.
    showStartupError(e);
    app.quit();
    return;
  }
  const webContents = () => mainWindow?.webContents ?? null;
  bindIpc(services.dispatch, webContents, entry);
  forwardEvents(services.subscribe, webContents);
  mainWindow = createMainWindow({ rendererDir: paths.rendererDir, preload: paths.preload });
  mainWindow.on('closed', () => (mainWindow = null));
});

app.on('window-all-closed', () => {
  services?.close();
  app.quit();
});
