// Composes every service into one object that satisfies the whole contract. Transport-free: the
// Electron main process and the browser-mode server both bind exactly this.
import { join } from 'node:path';
import type { Emit, Handlers, WireEvent } from '../contract/index.js';
import { createDatasetsService } from './datasets/index.js';
import { createDispatcher } from './dispatcher.js';
import { createLessonsService } from './lessons/index.js';
import { createModelsService } from './models/index.js';
import { callingStudent, type Caller } from './roles/caller.js';
import { createStudentGuard } from './roles/guard.js';
import { Lab } from './roles/lab.js';
import { createLabService } from './roles/lab-service.js';
import { RunStore, createRunsService, runArtifactRoot } from './runs/index.js';
import { SettingsStore, createSettingsService } from './settings/settings-service.js';
import { openDatabase } from './store/database.js';
import { createSweepsService } from './sweeps/sweeps-service.js';
import { poolSize } from './training/pool-size.js';
import { createTrainingService, type TrainingServiceOptions } from './training/training-service.js';
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
  /** Lab workers on other machines (--redis): a second place the training queue sends jobs to. */
  remote?: TrainingServiceOptions['remote'];
  /** The window GPU rung: the desktop's hidden window, or the browser tab that opted in. */
  windowGpu?: TrainingServiceOptions['windowGpu'];
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

  // A student of the class link is who they claimed to be; the teacher is the name in Settings.
  const lab = new Lab({ dataDir: opts.dataDir, teacherName: () => settings.get().studentName });
  const identity = () => {
    const s = settings.get();
    return { studentName: callingStudent() ?? s.studentName, classSession: s.classSession };
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
    remote: opts.remote,
    windowGpu: opts.windowGpu,
  });

  // Sweeps queue their runs on the training queue and follow them through its job events.
  const sweeps = createSweepsService({
    db,
    runs: runStore,
    queue: { enqueue: (id, config) => training.queue.enqueue(id, config), cancel: (id) => training.queue.cancel(id), workers: () => training.queue.state().workers },
    emit,
    identity,
    resourcesDir: opts.resourcesDir,
    dataDir: opts.dataDir,
    log,
  });
  listeners.add((e) => sweeps.onEvent(e));

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
      currentStudent: () => identity().studentName,
    }),
    ...training.handlers,
    ...sweeps.handlers,
    ...createLabService({ db, lab, classSession: () => settings.get().classSession, teacherName: () => settings.get().studentName }),
  } satisfies Handlers;
  sweeps.resumeInterrupted();
  const guard = createStudentGuard({ lab, dataDir: opts.dataDir, resourcesDir: opts.resourcesDir, classSession: () => settings.get().classSession, handlers });

  return {
    handlers,
    dispatch: createDispatcher(handlers, log, guard),
    lab,
    /** Whether a connection receives an event: students get only their own runs' progress unless shared. */
    eventVisible: async (caller: Caller, event: WireEvent) => caller.role === 'teacher' || guard.eventVisible(caller.student, event),
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
