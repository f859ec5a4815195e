import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RunFilter } from '../../contract/index.js';
import { NotFoundError } from '../dispatcher.js';
import { openDatabase, type Db } from '../store/database.js';
import { MAX_BATCH_POINTS, RunStore } from './run-store.js';
import { createRunsService, rerunName } from './runs-service.js';
import { sampleConfig, sampleEpoch, sampleResult, sampleTest } from './testing/sample-runs.js';

const tempFile = () => join(mkdtempSync(join(tmpdir(), 'tl-runs-')), 'app.sqlite');
const open: Db[] = [];
function freshStore(file = ':memory:') {
  const db = openDatabase(file);
  open.push(db);
  return new RunStore(db);
}
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
});
const who = { studentName: 'Ada', classSession: 'ML-101' };
const filter = (f: Partial<RunFilter> = {}) => RunFilter.parse(f);

describe('RunStore while a run trains', () => {
  it('records a run from queued through its epochs to completed', () => {
    const store = freshStore();
    const run = store.createRun({ name: 'cats', pairId: null, config: sampleConfig(), ...who });
    expect(run).toMatchObject({ status: 'queued', strategy: 'feature-extraction', datasetId: 'shapes', perClass: 50, epochsDone: 0, tags: [] });
    store.markStarted(run.id, { rung: 'wasm', device: 'wasm', trainableParams: 1290, frozenParams: 174_336 });
    store.appendEpoch(run.id, sampleEpoch(0, 0.6));
    store.appendEpoch(run.id, sampleEpoch(1, 0.8));
    store.appendEpoch(run.id, sampleEpoch(2, 0.7));
    const mid = store.get(run.id);
    expect(mid).toMatchObject({ status: 'running', rung: 'wasm', epochsDone: 3, bestValAcc: 0.8, finalValAcc: 0.7, totalSeconds: 1.25 + 2.25 + 3.25 });
    store.complete(run.id, sampleResult(), '/data/models/run');
    const done = store.get(run.id);
    expect(done.status).toBe('completed');
    expect(done.finishedAt).not.toBeNull();
    expect(done.result).toEqual(sampleResult());
    expect(done.bestValAcc).toBe(0.9);
    expect(done.epochs.map((e) => e.valAcc)).toEqual([0.6, 0.8, 0.7]);
    expect(store.getModelDir(run.id)).toBe('/data/models/run');
    expect(store.getConfig(run.id)).toEqual(sampleConfig());
  });

  it('keeps a killed run\'s completed epochs and marks it interrupted on the next start', () => {
    const file = tempFile();
    freshStore(file); // create the schema first
    open.pop()!.close();
    const script = fileURLToPath(new URL('./testing/crash-mid-training.ts', import.meta.url));
    const child = spawnSync(process.execPath, ['--import', 'tsx', script, file], { encoding: 'utf8' });
    expect(child.signal).toBe('SIGKILL');
    const runId = child.stdout.trim();

    const store = freshStore(file);
    expect(store.get(runId).status).toBe('running');
    expect(store.markInterruptedOnStartup()).toBe(1);
    const run = store.get(runId);
    expect(run.status).toBe('interrupted');
    expect(run.error).toMatch(/stopped while this run was training.*completed epochs were kept/);
    expect(run.epochs).toHaveLength(2);
    expect(run.batches).toHaveLength(2);
    expect(run.bestValAcc).toBeCloseTo(0.6);
    expect(store.markInterruptedOnStartup()).toBe(0);
  });

  it('marks queued runs interrupted too, with their own reason, and leaves finished ones alone', () => {
    const store = freshStore();
    const queued = store.createRun({ name: 'q', pairId: null, config: sampleConfig(), ...who });
    const failed = store.createRun({ name: 'f', pairId: null, config: sampleConfig(), ...who });
    store.finish(failed.id, 'failed', 'Out of memory');
    expect(store.markInterruptedOnStartup()).toBe(1);
    expect(store.get(queued.id).error).toMatch(/before this queued run could start/);
    expect(store.get(failed.id)).toMatchObject({ status: 'failed', error: 'Out of memory' });
  });

  it('downsamples batch losses on write to at most MAX_BATCH_POINTS, evenly spread', () => {
    const store = freshStore();
    const run = store.createRun({ name: 'long', pairId: null, config: sampleConfig(), ...who });
    for (let start = 0; start < 10_000; start += 250) {
      store.appendBatches(run.id, Array.from({ length: 250 }, (_, i) => ({ step: start + i, loss: 1 / (start + i + 1), acc: 0.5 })));
    }
    const steps = store.get(run.id).batches.map((b) => b.step);
    expect(steps.length).toBeLessThanOrEqual(MAX_BATCH_POINTS);
    expect(steps.length).toBeGreaterThan(MAX_BATCH_POINTS / 2);
    expect(steps[0]).toBe(0);
    expect(steps.at(-1)).toBeGreaterThan(9_900);
    const gaps = new Set(steps.slice(1).map((s, i) => s - steps[i]));
    expect(gaps.size).toBe(1);
  });

  it('refuses writes to a run that does not exist, by name', () => {
    const store = freshStore();
    expect(() => store.appendEpoch('nope', sampleEpoch(0))).toThrow(NotFoundError);
    expect(() => store.get('nope')).toThrow(/No run with id nope/);
  });
});

describe('RunStore history', () => {
  function seeded() {
    const store = freshStore();
    const pairId = store.createPair();
    const fe = store.createRun({ name: 'Pets FE', pairId, config: sampleConfig(), ...who });
    const ft = store.createRun({ name: 'Pets FT', pairId, config: sampleConfig({ strategy: 'fine-tuning', unfreezeBlocks: 2 }), ...who });
    const other = store.createRun({ name: 'digits_100%', pairId: null, config: sampleConfig({ dataset: { id: 'digits', perClass: null } }), studentName: 'Bob', classSession: 'ML-102' });
    store.complete(fe.id, sampleResult({ bestValAcc: 0.7, test: sampleTest(36) }), null);
    store.complete(ft.id, sampleResult({ bestValAcc: 0.95, totalSeconds: 30, test: sampleTest(30) }), null);
    store.update(ft.id, { tags: [' best ', 'lab1', 'best'], notes: 'unfroze two blocks' });
    store.update(other.id, { tags: ['lab1'] });
    return { store, pairId, fe, ft, other };
  }

  it('filters by strategy, data set, student, status, tag and searches text', () => {
    const { store, fe, ft, other } = seeded();
    const ids = (f: Partial<RunFilter>) => store.list(filter(f)).runs.map((r) => r.id).sort();
    expect(ids({ strategy: 'fine-tuning' })).toEqual([ft.id]);
    expect(ids({ datasetId: 'digits' })).toEqual([other.id]);
    expect(ids({ student: 'ada' })).toEqual([fe.id, ft.id].sort());
    expect(ids({ status: 'queued' })).toEqual([other.id]);
    expect(ids({ tag: 'lab1' })).toEqual([ft.id, other.id].sort());
    expect(ids({ search: 'two blocks' })).toEqual([ft.id]);
    expect(ids({ search: '100%' })).toEqual([other.id]);
    expect(ids({ search: '_' })).toEqual([other.id]);
    expect(ids({ search: 'BEST' })).toEqual([ft.id]);
    expect(store.get(ft.id).tags).toEqual(['best', 'lab1']);
  });

  it('sorts, pages and counts', () => {
    const { store, fe, ft, other } = seeded();
    const byAcc = store.list(filter({ sort: 'bestValAcc', order: 'desc' })).runs.map((r) => r.id);
    expect(byAcc).toEqual([ft.id, fe.id, other.id]); // no value yet sorts last
    // The headline number can rank runs differently from what they optimised.
    const byTest = store.list(filter({ sort: 'testAcc', order: 'desc' })).runs;
    expect(byTest.map((r) => [r.id, r.testAcc, r.testN])).toEqual([[fe.id, 0.9, 40], [ft.id, 0.75, 40], [other.id, null, null]]);
    expect(store.list(filter({ sort: 'testAcc', order: 'asc' })).runs.map((r) => r.id)).toEqual([ft.id, fe.id, other.id]);
    const byName = store.list(filter({ sort: 'name', order: 'asc' })).runs.map((r) => r.name);
    expect(byName).toEqual(['digits_100%', 'Pets FE', 'Pets FT']);
    const page = store.list(filter({ sort: 'name', order: 'asc', limit: 1, offset: 1 }));
    expect(page).toMatchObject({ total: 3, runs: [{ name: 'Pets FE' }] });
  });

  it('renames, refuses an empty name, and deletes with the orphaned pair', () => {
    const { store, pairId, fe, ft } = seeded();
    expect(store.update(fe.id, { name: '  Pets, frozen ' }).name).toBe('Pets, frozen');
    expect(() => store.update(fe.id, { name: '  ' })).toThrow(/needs a name/);
    expect(store.delete([fe.id, fe.id, 'missing'])).toBe(1);
    expect(store.db.prepare('SELECT count(*) FROM pairs').pluck().get()).toBe(1);
    expect(store.delete([ft.id])).toBe(1);
    expect(store.db.prepare('SELECT count(*) FROM pairs WHERE id = ?').pluck().get(pairId)).toBe(0);
  });

  it('serves the runs.* methods, re-running with the stored config', async () => {
    const { store, ft } = seeded();
    const rerun = vi.fn(async () => ({ runIds: ['new'], pairId: null }));
    const service = createRunsService({ store, rerun });
    await expect(service['runs.rerun']({ id: ft.id })).resolves.toEqual({ runIds: ['new'], pairId: null });
    expect(rerun).toHaveBeenCalledWith(sampleConfig({ strategy: 'fine-tuning', unfreezeBlocks: 2 }), 'Pets FT (re-run)');
    expect(rerunName('Pets FT (re-run)')).toBe('Pets FT (re-run 2)');
    expect(rerunName('Pets FT (re-run 2)')).toBe('Pets FT (re-run 3)');
    const listed = await service['runs.list'](filter({ search: 'Pets' }));
    expect(listed.total).toBe(2);
    await expect(service['runs.get']({ id: 'gone' })).rejects.toBeInstanceOf(NotFoundError);
  });
});
