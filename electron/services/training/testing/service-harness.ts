// A training service as the app builds it, for the queue tests: a real SQLite file, real worker
// processes (the worker entry run through tsx) on the wasm rung, and every event it emits recorded.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { EventName, WireEvent } from '../../../contract/index.js';
import { RunStore } from '../../runs/index.js';
import { openDatabase } from '../../store/database.js';
import { createTrainingService, type TrainingServiceOptions } from '../training-service.js';
import { forkWorkerSpawner } from '../worker-host.js';

export const repo = resolve(__dirname, '../../../..');

type Extra = Partial<Omit<TrainingServiceOptions, 'store' | 'emit' | 'dataDir'>>;

export function trainingServiceHarness(name: string, extra: Extra = {}, opts: { dataDir?: string; resourcesDir?: string; runsDir?: boolean; explain?: () => string } = {}) {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), `tl-${name}-`));
  const db = openDatabase(join(dataDir, 'app.sqlite'));
  const store = opts.runsDir ? new RunStore(db, join(dataDir, 'runs')) : new RunStore(db);
  const events: WireEvent[] = [];
  const service = createTrainingService({
    store,
    emit: (event, payload) => events.push({ event, payload }),
    spawnWorker: forkWorkerSpawner(join(repo, 'electron/training/worker.ts')),
    workerEnv: () => ({ resourcesDir: opts.resourcesDir ?? join(repo, 'resources'), dataDir, backend: 'wasm' }),
    dataDir,
    identity: () => ({ studentName: 'Test Student', classSession: 'CI' }),
    ...extra,
  });
  /** The first recorded event of that name whose payload passes `pred` (polled; the timeout is generous, not a measure). */
  const waitFor = async (event: EventName, pred: (p: any) => boolean, timeoutMs = 300_000) => {
    const t0 = Date.now();
    while (Date.now() - t0 < timeoutMs) {
      const hit = events.find((e) => e.event === event && pred(e.payload));
      if (hit) return hit.payload as any;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${event}${opts.explain ? `; ${opts.explain()}` : ''}`);
  };
  return { dataDir, db, store, events, service, waitFor, close: () => (service.close(), db.close()) };
}
