// Sweeps through the whole app (real SQLite, real training queue and worker processes): the pair
// rule per size and seed, refusals with the numbers a data set needs, and a sweep that is cancelled,
// resumed, stopped with the app and resumed at the next start without redoing a finished run.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pairConfigs } from '../../contract/budget.js';
import { methods, type SweepProgress, type SweepRequestInput, type WireEvent } from '../../contract/index.js';
import { decodeFolder } from '../../datasets/folder-decode.js';
import { writeRegistry } from '../../datasets/folder-registry.js';
import { makePng } from '../../datasets/testing/image-folder.js';
import { createAppServices, type AppServices } from '../app-services.js';
import { forkWorkerSpawner } from '../training/worker-host.js';
import { fineTuneBase } from './sweep-plan.js';

const repo = resolve(__dirname, '../../..');

function open(dataDir: string) {
  const services = createAppServices({
    dataDir,
    resourcesDir: join(repo, 'resources'),
    mode: 'browser',
    version: 'test',
    spawnWorker: forkWorkerSpawner(join(repo, 'electron/training/worker.ts')),
  });
  const events: WireEvent[] = [];
  services.subscribe((e) => events.push(e));
  // Handlers take parsed params: the request goes through its schema (and its defaults) as on the wire.
  const start = (request: SweepRequestInput) => services.handlers['sweeps.start'](methods['sweeps.start'].params.parse(request));
  return { services, events, h: services.handlers, start };
}

let opened: AppServices[] = [];
afterEach(() => {
  for (const s of opened) s.close();
  opened = [];
});
function app(dataDir = mkdtempSync(join(tmpdir(), 'tl-sweep-'))) {
  const a = open(dataDir);
  opened.push(a.services);
  return { ...a, dataDir };
}

/** Resolves on the first sweeps.progress event `pred` accepts (events are pushed as they happen). */
function progressWhere(events: WireEvent[], pred: (p: SweepProgress) => boolean, timeoutMs = 600_000): Promise<SweepProgress> {
  return new Promise((resolvePromise, reject) => {
    const t0 = Date.now();
    const tick = () => {
      const hit = events.find((e) => e.event === 'sweeps.progress' && pred(e.payload as SweepProgress));
      if (hit) return resolvePromise(hit.payload as SweepProgress);
      if (Date.now() - t0 > timeoutMs) return reject(new Error('timed out waiting for sweep progress'));
      setTimeout(tick, 50);
    };
    tick();
  });
}

/** The sample ids of a folder's fixed test pool, as the loader chooses it. */
async function poolIds(root: string, testPerClass: number): Promise<Set<string>> {
  const d = await decodeFolder(root, [8, 8, 1], { perClass: 2, seed: 1, testPerClass });
  return new Set(Array.from(d.fixedTest ?? [], (i) => d.sampleIds[i]));
}

// FE and FT on digits at 4 and 8 per class, one seed, fine-tuning for one epoch after one head epoch.
const tiny = { datasetId: 'digits', sizes: [4, 8], seeds: 1, unfreezeBlocks: 1, budget: { epochs: 1, headEpochs: 1 }, backend: 'wasm' as const };

describe('sweeps.start: the plan', () => {
  it('queues one pair per size and seed by the pair rule, smallest first, on the shared test pool', async () => {
    const { h, start } = app();
    await h['settings.set']({ trainingWorkers: 1 });
    const sweep = await start({ ...tiny, seeds: 2, sizes: [4, 3000] });
    expect(sweep).toMatchObject({ status: 'running', done: 0, total: 8, failed: 0, source: 'stored' });
    // 3000 per class is more than any digit class has: the last step is "all" (902, the largest class).
    expect(sweep.config.ladder).toEqual([{ perClass: 4, images: 40 }, { perClass: 902, images: 8000 }]);
    expect(sweep.config).toMatchObject({ testImages: 2000, similarity: 'very-different', compute: 'ample', datasetName: 'Handwritten digits' });
    const detail = await h['sweeps.get']({ id: sweep.id });
    expect(detail.runs.map((r) => `${r.perClass}/${r.seed}/${r.strategy}`)).toEqual([
      '4/42/feature-extraction', '4/42/fine-tuning', '4/43/feature-extraction', '4/43/fine-tuning',
      '902/42/feature-extraction', '902/42/fine-tuning', '902/43/feature-extraction', '902/43/fine-tuning',
    ]);
    const runs = await Promise.all(detail.runs.map((r) => h['runs.get']({ id: r.runId! })));
    for (let i = 0; i < runs.length; i += 2) {
      const [fe, ft] = [runs[i], runs[i + 1]];
      expect(fe.pairId).toBeTruthy();
      expect(fe.pairId).toBe(ft.pairId);
      const images = detail.runs[i].images;
      const base = fineTuneBase(sweep.config, detail.runs[i].perClass, images);
      expect([fe.config, ft.config]).toEqual(pairConfigs({ ...base, seed: fe.seed }, images));
    }
    const queue = await h['training.queue']({});
    expect([...queue.running, ...queue.queued]).toEqual(detail.runs.map((r) => r.runId));
    await expect(h['sweeps.resume']({ id: sweep.id })).rejects.toThrow('This sweep is still running.');
    await expect(h['sweeps.delete']({ id: sweep.id, withRuns: false })).rejects.toThrow('Cancel the sweep before deleting it.');
    await h['sweeps.cancel']({ id: sweep.id });
    expect((await h['training.queue']({})).queued).toEqual([]);
    await expect(h['sweeps.cancel']({ id: sweep.id })).rejects.toThrow('This sweep is cancelled, not running: there is nothing to cancel.');
    // Deleting the sweep keeps its runs in the history unless asked.
    await h['sweeps.delete']({ id: sweep.id, withRuns: false });
    expect((await h['sweeps.list']({})).filter((s) => s.source === 'stored')).toEqual([]);
    await expect(h['sweeps.get']({ id: sweep.id })).rejects.toThrow(/No sweep with id/);
    expect((await h['runs.get']({ id: detail.runs[1].runId! })).status).toBe('cancelled');
  });
});

describe('sweeps.start: data sets that cannot hold a sweep', () => {
  const folder = async (dataDir: string, counts: number[]) => {
    const info = { id: 'folder-0123456789ab', name: 'pets', source: 'folder' as const, role: 'user' as const, description: '', classes: counts.map((_, i) => `c${i}`), counts, imageSize: [8, 8, 3] as [number, number, number] };
    await writeRegistry(dataDir, [{ id: info.id, path: dataDir, addedAt: new Date(0).toISOString(), info }]);
    return info.id;
  };

  it('names the minimum when a folder is too small for more than one size', async () => {
    const { start, dataDir } = app();
    const id = await folder(dataDir, [5, 4]);
    await expect(start({ datasetId: id })).rejects.toThrow(
      'A sweep needs at least two sizes to compare, but the largest class of this data set has only 5 images, so only one size (5 per class) fits. It needs at least 6 images in a class',
    );
  });

  it('refuses a folder too small for its test pool, with the number it needs', async () => {
    const { start, dataDir } = app();
    const id = await folder(dataDir, [40, 60]);
    await expect(start({ datasetId: id })).rejects.toThrow(
      '"pets" is too small for a sweep\'s test pool: every run of a sweep is scored on the same 100 or more held-out test images, 50 of each of its 2 classes, '
      + 'and every class also needs 2 to train and validate, so each class needs at least 52 images: "c0" has 40.',
    );
  });

  it('names the minimum when holding out the test pool leaves room for only one size', async () => {
    const { start, dataDir } = app();
    const id = await folder(dataDir, [55, 55]);
    await expect(start({ datasetId: id })).rejects.toThrow(
      'A sweep needs at least two sizes to compare, but once 50 test images of every class are held out, the largest class of "pets" has only 5 left to train on, so only one size (5 per class) fits. It needs at least 56 images in a class',
    );
  });

  it('refuses the pretraining set and an unknown id', async () => {
    const { start } = app();
    await expect(start({ datasetId: 'fashion-source' })).rejects.toThrow(/backbone's pretraining set/);
    await expect(start({ datasetId: 'nope' })).rejects.toThrow('No data set "nope": it is neither shipped nor one of your folders (was it removed?).');
  });
});

describe('a sweep on a folder', () => {
  it('holds out one test pool, chosen once, for every run: all are scored on the same images, none trained on them', async () => {
    const { h, events, dataDir } = app();
    const root = join(dataDir, 'pets');
    for (const [c, tint] of [['cats', [220, 120, 40]], ['dogs', [40, 90, 220]]] as const) {
      mkdirSync(join(root, c), { recursive: true });
      for (let i = 0; i < 60; i++) writeFileSync(join(root, c, `${c}${i}.png`), await makePng(12, 12, [...tint], i));
    }
    const info = await h['datasets.addFolder']({ path: root, scanId: 'scan-pets' });
    const id = info.dataset.id;
    expect(info.dataset.counts).toEqual([60, 60]);
    const sweep = await h['sweeps.start'](methods['sweeps.start'].params.parse({
      datasetId: id, sizes: [3, 6], seeds: 2, strategies: ['feature-extraction'], budget: { epochs: 1, headEpochs: 1 }, backend: 'wasm',
    }));
    // 50 per class (100 in all, the fewest a sweep is scored on) held out; sizes from the 10 left.
    expect(sweep.config).toMatchObject({ testPerClass: 50, testImages: 100, ladder: [{ perClass: 3, images: 6 }, { perClass: 6, images: 12 }] });
    const done = await progressWhere(events, (p) => p.sweepId === sweep.id && p.status !== 'running');
    expect(done).toMatchObject({ status: 'completed', done: 4, total: 4 });
    const detail = await h['sweeps.get']({ id: sweep.id });
    const runs = await Promise.all(detail.runs.map((r) => h['runs.get']({ id: r.runId! })));
    for (const r of runs) expect(r.config.dataset).toMatchObject({ id, testPerClass: 50 });
    // Every size and seed is scored on the same 100 test images (one set id); what a run got wrong
    // in its test set is in the pool, and what it got wrong in validation never is.
    expect(new Set(runs.map((r) => r.result!.test!.setId)).size).toBe(1);
    expect(runs.map((r) => r.testN)).toEqual([100, 100, 100, 100]);
    const pool = await poolIds(root, 50);
    expect(runs.flatMap((r) => r.result!.test!.misclassified.map((m) => m.sampleId)).filter((v) => !pool.has(v))).toEqual([]);
    expect(runs.flatMap((r) => r.result!.misclassified.map((m) => m.sampleId)).filter((v) => pool.has(v))).toEqual([]);
  }, 600_000);
});

describe('a sweep cancelled, resumed, stopped with the app and resumed at start', () => {
  it('finishes every run once: finished runs are never trained again', async () => {
    const first = app();
    await first.h['settings.set']({ trainingWorkers: 1 });
    const sweep = await first.start(tiny);
    expect(sweep.total).toBe(4);

    // Cancel as the first run completes: the three others are still queued on the one worker.
    let cancelled: Promise<unknown> | null = null;
    let asked = false;
    first.services.subscribe((e) => {
      if (asked || e.event !== 'sweeps.progress' || (e.payload as SweepProgress).done !== 1) return;
      asked = true; // before the call: cancelling emits progress again, synchronously
      cancelled = first.h['sweeps.cancel']({ id: sweep.id });
    });
    await progressWhere(first.events, (p) => p.status === 'cancelled');
    await cancelled;
    const afterCancel = await first.h['sweeps.get']({ id: sweep.id });
    expect(afterCancel.runs.map((r) => r.status)).toEqual(['completed', 'cancelled', 'cancelled', 'cancelled']);
    expect(afterCancel).toMatchObject({ status: 'cancelled', done: 1, failed: 3 });
    const kept = afterCancel.runs[0];
    expect(kept.testN).toBe(2000);

    // Resume: three new runs replace the cancelled ones; the finished run stays as it was.
    const resumed = await first.h['sweeps.resume']({ id: sweep.id });
    expect(resumed).toMatchObject({ status: 'running', done: 1, total: 4 });
    const requeued = await first.h['sweeps.get']({ id: sweep.id });
    expect(requeued.runs[0]).toEqual(kept);
    expect(requeued.runs.slice(1).map((r) => r.runId)).not.toContain(afterCancel.runs[1].runId);
    await expect(first.h['runs.get']({ id: afterCancel.runs[1].runId! })).rejects.toThrow(/No run with id/);

    // Stop the app once a second run has finished; the next start resumes the sweep by itself.
    await progressWhere(first.events, (p) => p.sweepId === sweep.id && p.done >= 2);
    const beforeStop = (await first.h['sweeps.get']({ id: sweep.id })).runs;
    first.services.close();
    opened = opened.filter((s) => s !== first.services);

    const second = app(first.dataDir);
    const onStart = await second.h['sweeps.get']({ id: sweep.id });
    const finishedBefore = beforeStop.filter((r) => r.status === 'completed');
    for (const r of finishedBefore) expect(onStart.runs.find((x) => x.runId === r.runId)).toEqual(r);
    if (finishedBefore.length < 4) {
      expect(onStart.status).toBe('running');
      const done = await progressWhere(second.events, (p) => p.sweepId === sweep.id && p.status !== 'running');
      expect(done).toMatchObject({ status: 'completed', done: 4, total: 4, failed: 0, etaSeconds: null });
    }

    const final = await second.h['sweeps.get']({ id: sweep.id });
    for (const r of finishedBefore) expect(final.runs.find((x) => x.runId === r.runId)).toEqual(r);
    expect(final.runs.every((r) => r.status === 'completed' && r.testN === 2000 && r.setId === final.runs[0].setId)).toBe(true);
    // Only the sweep's four runs are in the history: every replaced run went with its replacement.
    expect((await second.h['runs.list'](methods['runs.list'].params.parse({}))).total).toBe(4);

    const csv = await second.h['sweeps.export']({ id: sweep.id, format: 'csv' });
    expect(csv.content.split('\r\n')[0]).toBe('images_per_class,images,seed,strategy,status,test_accuracy,test_low,test_high,test_n,seconds,run_id');
    expect(csv.content.trim().split('\r\n')).toHaveLength(5);
    const png = await second.h['sweeps.export']({ id: sweep.id, format: 'png' });
    expect(Buffer.from(png.content, 'base64').subarray(1, 4).toString()).toBe('PNG');
  }, 900_000);
});
