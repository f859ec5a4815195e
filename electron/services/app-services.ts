// Composes every service into one object that satisfies the whole contract. Transport-free: the
// Electron main process and the browser-mode server both bind exactly this.
import { join } from 'node:path';
import type { Emit, Handlers, WireEvent } from '../contract/index.js';
import { createDatasetsService } from './datasets/index.js';
import { createDispatcher } from './dispatcher.js';
import { createLessonsService } from './lessons/index.js';
import { createModelsService } from './models/index.js';
import { RunStore, createRunsService, runArtifactRoot } from './runs/index.js';
import { SettingsStore, createSettingsService } from './settings/settings-service.js';
import { openDatabase } from './store/database.js';
import { poolSize } from './training/pool-size.js';
import { createTrainingService } from './training/training-service.js';
import type { SpawnWorker } from './training/worker-host.js';

export interface AppServicesOptions {
  dataDir: string;
  resourcesDir: string;
  mode: 'electron' | 'browser';
  version: string;
  spawnWorker: SpawnWorker;
  pickFolder?: (title?: string) => Promise<string | null>;
  openExternal?: (url: string) => Promise<boolean>;
  log?: (msg: string) => void;
}

export function createAppServices(opts: AppServicesOptions) {
  const log = opts.log ?? (() => {});
  // Creates the data folder too, and says clearly when it cannot.
  const db = openDatabase(join(opts.dataDir, 'transfer-lab.sqlite'));

  const listeners = new Set<(e: WireEvent) => void>();
  const emit: Emit = (event, payload) => {
    for (const l of listeners) l({ event, payload });
  };

  const settings = new SettingsStore(db);
  const runStore = new RunStore(db, runArtifactRoot(opts.dataDir));
  const interrupted = runStore.markInterruptedOnStartup();
  if (interrupted > 0) log(`${interrupted} run(s) left running by an earlier session were marked interrupted.`);
  const orphans = runStore.removeOrphanArtifacts();
  if (orphans > 0) log(`Removed ${orphans} leftover run folder(s) that no run in the history owned.`);

  const identity = () => {
    const s = settings.get();
    return { studentName: s.studentName, classSession: s.classSession };
  };
  const training = createTrainingService({
    store: runStore,
    emit,
    spawnWorker: opts.spawnWorker,
    workerEnv: () => ({ resourcesDir: opts.resourcesDir, dataDir: opts.dataDir, backend: settings.get().backend }),
    poolSize: () => poolSize(settings.get().trainingWorkers),
    dataDir: opts.dataDir,
    identity,
    log,
  });

  const handlers = {
    'app.info': async () => ({ name: 'Transfer Lab', version: opts.version, mode: opts.mode, dataDir: opts.dataDir, platform: process.platform }),
    'app.openExternal': async ({ url }) => {
      const protocol = new URL(url).protocol;
      if (protocol !== 'https:' && protocol !== 'http:') throw new Error('Only http(s) links can be opened.');
      if (!opts.openExternal) throw new Error('Links open in your own browser tab in browser mode.');
      if (!(await opts.openExternal(url))) throw new Error('Opening the link was declined.');
      return { ok: true as const };
    },
    'app.pickFolder': async ({ title }) => ({ path: opts.pickFolder ? await opts.pickFolder(title) : null }),
    ...createSettingsService(settings),
    ...createDatasetsService({ resourcesDir: opts.resourcesDir, dataDir: opts.dataDir, emit }),
    ...createModelsService({ resourcesDir: opts.resourcesDir, dataDir: opts.dataDir, emit, describeModel: training.describeModel }),
    ...createRunsService({ store: runStore, rerun: training.rerun }),
    ...createLessonsService({
      db,
      resourcesDir: opts.resourcesDir,
      userLessonsDir: join(opts.dataDir, 'lessons'),
      currentStudent: () => settings.get().studentName,
    }),
    ...training.handlers,
  } satisfies Handlers;

  return {
    handlers,
    dispatch: createDispatcher(handlers, log),
    subscribe(listener: (e: WireEvent) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    training,
    close() {
      training.close();
      db.close();
    },
  };
}

export type AppServices = ReturnType<typeof createAppServices>;
