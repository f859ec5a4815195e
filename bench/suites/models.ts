// models.list with a MobileNet v1 1.0 (224 px, 17 MB of weights) downloaded into the data folder:
// the first listing has the training worker describe it (once per model, facts.json is written),
// later listings and a restarted app read facts.json. For comparison, the describe the list used
// to run in the calling process (load the whole model into TensorFlow.js, cut, count).
// Times are reported, not asserted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogDir } from '../../electron/models/backbone-dirs.js';
import { ModelDescription } from '../../electron/models/facts.js';
import { writeIntegrity } from '../../electron/models/model-files.js';
import { createModelsService } from '../../electron/services/models/service.js';
import { forkWorkerSpawner, WorkerHost } from '../../electron/services/training/worker-host.js';
import { describeBackbone } from '../../electron/training/backbones/describe.js';
import { saveLayersModelToDir } from '../../electron/training/backbones/model-io.js';
import { buildMobileNetV1 } from '../../electron/training/backbones/testing/mini-models.js';
import type { BenchSection } from '../report.js';
import { resourcesDir } from '../training/data.js';

const MODEL = 'mobilenet-v1-1.0-224';
const REPS = 7;
const workerEntry = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../electron/training/worker.ts');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

async function medianOf(fn: () => Promise<unknown>, reps = REPS): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < reps; i++) times.push((await timed(fn)).ms);
  return median(times);
}

/** A MobileNet v1 1.0 with Keras' layer names and random weights, as a downloaded catalog model. */
async function mobileNetFolder(dataDir: string): Promise<void> {
  const m = buildMobileNetV1(1.0, 224, 1000);
  await saveLayersModelToDir(m, catalogDir(dataDir, MODEL));
  m.dispose();
  await writeIntegrity(catalogDir(dataDir, MODEL), 'bench');
}

export async function run(): Promise<BenchSection> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tl-bench-models-'));
  const host = new WorkerHost(forkWorkerSpawner(workerEntry), () => ({ resourcesDir, dataDir, backend: 'auto' }), () => {}, () => {});
  try {
    await mobileNetFolder(dataDir);
    const dirs = { resourcesDir, dataDir };
    const rows: Record<string, string | number>[] = [];
    const row = (step: string, ms: number, asked: number) => rows.push({ step, ms: Number(ms.toFixed(ms < 10 ? 2 : 0)), 'worker asked': asked });

    const inProcess = await medianOf(() => describeBackbone(MODEL, dirs), 3);
    row('load + describe in the calling process (the list before facts.json)', inProcess, 0);

    let asked = 0;
    const describeModel = (id: string) => {
      asked++;
      return host.request(ModelDescription, (requestId) => ({ type: 'describeModel', requestId, id }));
    };
    const service = () => createModelsService({ resourcesDir, dataDir, emit: () => {}, describeModel });
    const start = await timed(() => host.ensureStarted());
    row('start the worker (once per session, not needed by a list with facts)', start.ms, 0);
    const svc = service();
    const first = await timed(() => svc['models.list']({}));
    const mobileNet = first.value.find((m) => m.id === MODEL);
    if (!mobileNet?.available) throw new Error(`${MODEL} was not listed as available: ${mobileNet?.description}`);
    row('first models.list: the worker describes it, facts.json written', first.ms, asked);
    const before = asked;
    row(`later models.list (median of ${REPS})`, await medianOf(() => svc['models.list']({})), asked - before);
    row(`models.list after a restart (new service; median of ${REPS})`, await medianOf(() => service()['models.list']({})), asked - before);
    return {
      title: `models.list with ${MODEL} (${(mobileNet.totalParams / 1e6).toFixed(1)} M parameters, ${(mobileNet.sizeBytes / 1e6).toFixed(0)} MB) in the data folder`,
      rows,
      notes: [
        'The list runs in the main (or server) process, which no longer loads TensorFlow.js; the worker is a separate process.',
        '"worker asked": describe requests the list sent to the worker during that step.',
      ],
    };
  } finally {
    host.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// `npx tsx bench/suites/models.ts` runs this suite alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  run().then((s) => {
    console.log(s.title);
    console.table(s.rows);
    for (const n of s.notes) console.log('-', n);
  });
}
