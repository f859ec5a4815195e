import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SweepConfig } from '../../contract/index.js';
import { openDatabase, type Db } from '../store/database.js';
import { SweepStore, type SweepSlot } from '../sweeps/sweep-store.js';
import { RunStore } from './run-store.js';
import { EXPORT_FORMAT, EXPORT_VERSION, toCsv } from './run-transfer.js';
import { sampleConfig, sampleEpoch, sampleResult } from './testing/sample-runs.js';

const open: Db[] = [];
function freshStore() {
  const db = openDatabase(':memory:');
  open.push(db);
  return new RunStore(db);
}
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});
const who = { studentName: 'Ada', classSession: 'ML-101' };

function populated() {
  const store = freshStore();
  const pairId = store.createPair();
  const fe = store.createRun({ name: 'Pets FE', pairId, config: sampleConfig(), ...who });
  const ft = store.createRun({ name: '=cmd, "quoted"', pairId, config: sampleConfig({ strategy: 'fine-tuning', unfreezeBlocks: 'all' }), ...who });
  const failed = store.createRun({ name: 'broken', pairId: null, config: sampleConfig(), studentName: 'Bob', classSession: 'ML-102' });
  for (const id of [fe.id, ft.id]) {
    store.markStarted(id, { rung: 'wasm', device: 'wasm', trainableParams: 1, frozenParams: 2 });
    [0, 1, 2].forEach((e) => store.appendEpoch(id, sampleEpoch(e, 0.1 * e + 0.333333333333)));
    store.appendBatches(id, [{ step: 0, loss: 2.5, acc: 0.1 }, { step: 1, loss: 1.0000001, acc: 0.2 }]);
  }
  store.complete(fe.id, sampleResult(), '/models/fe');
  store.complete(ft.id, sampleResult({ rung: 'cpu', bestValAcc: Math.PI / 4, embeddingCache: 'n/a' }), null);
  store.update(ft.id, { tags: ['lab1', 'best'], notes: 'line one\nline two', reflection: 'FT won.' });
  store.setExportedModel(ft.id, '/exports/ft');
  store.finish(failed.id, 'failed', 'The data set folder is empty.');
  return { store, ids: [fe.id, ft.id, failed.id] };
}

describe('export and import', () => {
  it('round-trips a JSON export exactly into a fresh store, and skips runs already there', () => {
    const { store, ids } = populated();
    const { filename, content } = store.exportRuns(ids, 'json');
    expect(filename).toMatch(/^transfer-lab-runs-\d{8}-\d{4}\.json$/);
    expect(JSON.parse(content)).toMatchObject({ format: EXPORT_FORMAT, version: EXPORT_VERSION, sweeps: [] });

    const other = freshStore();
    expect(other.importJson(content)).toEqual({ imported: 3, skipped: 0 });
    for (const id of ids) expect(other.get(id)).toEqual(store.get(id));
    const pair = store.get(ids[0]).pairId;
    expect(other.list({ sort: 'createdAt', order: 'asc', limit: 10, offset: 0 }).runs.filter((r) => r.pairId === pair)).toHaveLength(2);
    expect(other.importJson(content)).toEqual({ imported: 0, skipped: 3 });
  });

  it('exports a class session with every run of it and nothing else', () => {
    const { store, ids } = populated();
    const { filename, content } = store.exportClass('ML-101');
    expect(filename).toMatch(/^transfer-lab-class-ML-101-/);
    const file = JSON.parse(content);
    expect(file.classSession).toBe('ML-101');
    expect(file.runs.map((r: { id: string }) => r.id).sort()).toEqual(ids.slice(0, 2).sort());
    expect(() => store.exportClass('nobody')).toThrow(/No runs were recorded for the class session "nobody"/);
  });

  it('imports a version 1 file (before test sets): no test score, the seed from its config', () => {
    const { store, ids } = populated();
    const file = JSON.parse(store.exportRuns(ids, 'json').content);
    file.version = 1;
    for (const run of file.runs) {
      for (const k of ['testAcc', 'testLow', 'testHigh', 'testN', 'seed', 'repeatId']) delete run[k];
      if (run.result) for (const k of ['valN', 'test', 'stopped']) delete run.result[k];
    }
    const other = freshStore();
    expect(other.importJson(JSON.stringify(file))).toEqual({ imported: 3, skipped: 0 });
    const run = other.get(ids[0]);
    expect(run).toMatchObject({ testAcc: null, testLow: null, testHigh: null, testN: null, seed: 42, repeatId: null });
    expect(run.result).toMatchObject({ valN: 0, test: null, stopped: null });
  });

  it('carries test accuracy, its interval and n, the seed, the repeat id and why it stopped', () => {
    const store = freshStore();
    const run = store.createRun({ name: 'r', pairId: null, config: sampleConfig({ seed: 43 }), repeatId: 'rep-1', ...who });
    store.complete(run.id, sampleResult(), null);
    const detail = store.get(run.id);
    expect(detail).toMatchObject({ testAcc: 0.85, testN: 40, seed: 43, repeatId: 'rep-1' });
    expect(detail.testLow).toBeCloseTo(0.7091, 3);
    expect(detail.testHigh).toBeCloseTo(0.9294, 3);
    const [header, row] = store.exportRuns([run.id], 'csv').content.trimEnd().split('\r\n');
    const cells = Object.fromEntries(header.split(',').map((h, i) => [h, row.split(',')[i]]));
    expect(cells).toMatchObject({ test_acc: '0.85', test_n: '40', test_set: 'set-a', val_n: '30', seed: '43', repeat_id: 'rep-1', stop_reason: 'early-stopping', stop_epoch: '3', epoch_cap: '3', unfrozen_batchnorm: 'batch-statistics' });
    expect(Number(cells.test_acc_low_95)).toBeCloseTo(0.7091, 3);
    const cls = JSON.parse(store.exportClass('ML-101').content).runs[0];
    expect(cls).toMatchObject({ testAcc: 0.85, testN: 40, seed: 43, repeatId: 'rep-1', result: { stopped: { kind: 'early-stopping', epoch: 3 }, test: { setId: 'set-a' } } });
    expect(cls.testHigh).toBeCloseTo(0.9294, 3);
  });

  it('writes CSV that spreadsheets read safely', () => {
    const { store, ids } = populated();
    const { content } = store.exportRuns([ids[1]], 'csv');
    const [header, row] = content.trimEnd().split('\r\n');
    expect(header.split(',').slice(0, 5)).toEqual(['id', 'name', 'pair', 'status', 'strategy']);
    expect(row).toContain(`"'=cmd, ""quoted"""`);
    expect(row).toContain('"line one\nline two"');
    expect(row).toContain('best; lab1');
    expect(toCsv([])).toBe(header + '\r\n');
    expect(() => store.exportRuns(['missing'], 'csv')).toThrow(/no run with id missing/);
  });

  describe('refuses a malformed file and writes nothing', () => {
    const good = () => {
      const { store, ids } = populated();
      return JSON.parse(store.exportRuns(ids, 'json').content);
    };
    const cases: [string, () => string, RegExp][] = [
      ['not JSON', () => '{"format": "transfer-lab-runs", ', /not valid JSON/],
      ['a JSON array', () => '[]', /expected a JSON object/],
      ['a foreign file', () => JSON.stringify({ format: 'something-else', runs: [] }), /format is "something-else", expected "transfer-lab-runs"/],
      ['a newer version', () => JSON.stringify({ ...good(), version: EXPORT_VERSION + 1 }), new RegExp(`newer Transfer Lab \\(file version ${EXPORT_VERSION + 1}`)],
      [
        'a damaged run after a good one',
        () => {
          const f = good();
          f.runs[1].epochs[0].valAcc = 'high';
          return JSON.stringify(f);
        },
        /damaged or incomplete: runs\[1\]\.epochs\[0\]\.valAcc: .*Nothing was imported/,
      ],
      [
        'a missing field',
        () => {
          const f = good();
          delete f.runs[0].config;
          return JSON.stringify(f);
        },
        /runs\[0\]\.config/,
      ],
      [
        'a duplicated run',
        () => {
          const f = good();
          f.runs.push(f.runs[0]);
          return JSON.stringify(f);
        },
        /lists run .* twice/,
      ],
      [
        'a confusion matrix that does not fit its classes',
        () => {
          const f = good();
          f.runs[0].result.confusion.pop();
          return JSON.stringify(f);
        },
        /runs\[0\]\.result\.confusion is not 3×3/,
      ],
    ];
    for (const [what, make, message] of cases) {
      it(what, () => {
        const store = freshStore();
        expect(() => store.importJson(make())).toThrow(message);
        expect(store.db.prepare('SELECT count(*) FROM runs').pluck().get()).toBe(0);
      });
    }

    it('a database failure half-way rolls back the runs already written', () => {
      const file = good();
      file.runs[2].name = 'boom';
      const store = freshStore();
      store.db.exec(`CREATE TEMP TRIGGER boom BEFORE INSERT ON runs WHEN NEW.name = 'boom' BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
      expect(() => store.importJson(JSON.stringify(file))).toThrow('disk full');
      for (const t of ['runs', 'run_epochs', 'run_batches', 'run_results', 'run_tags', 'pairs']) {
        expect(store.db.prepare(`SELECT count(*) FROM ${t}`).pluck().get()).toBe(0);
      }
    });
  });

  it('imports a run that was still training elsewhere as interrupted', () => {
    const store = freshStore();
    const run = store.createRun({ name: 'live', pairId: null, config: sampleConfig(), ...who });
    store.markStarted(run.id, { rung: 'cpu', device: 'cpu', trainableParams: 1, frozenParams: 1 });
    store.appendEpoch(run.id, sampleEpoch(0));
    const other = freshStore();
    other.importJson(store.exportRuns([run.id], 'json').content);
    expect(other.get(run.id)).toMatchObject({ status: 'interrupted', epochsDone: 1, error: expect.stringMatching(/still training/) });
  });
});

describe('the class export and its sweeps', () => {
  const sweepConfig = (over: Partial<SweepConfig> = {}): SweepConfig => ({
    datasetId: 'digits', backboneId: 'tl-resnet-s', name: 'Sweep · digits', sizes: [5, 10], strategies: ['feature-extraction', 'fine-tuning'], unfreezeBlocks: 2,
    seeds: 1, seed: 42, similarity: 'very-different', compute: 'ample', backend: 'wasm', datasetName: 'Handwritten digits', classes: ['0', '1', '2'],
    ladder: [{ perClass: 5, images: 15 }, { perClass: 10, images: 30 }], testImages: 2000, testPerClass: null, ...over,
  });

  /** A class on a real SQLite file: a finished sweep (both runs linked) and one still running (one run not yet made). */
  function classWithSweeps() {
    const file = join(mkdtempSync(join(tmpdir(), 'tl-transfer-')), 'lab.sqlite');
    const db = openDatabase(file);
    open.push(db);
    const store = new RunStore(db);
    const sweeps = new SweepStore(db);
    const pairId = store.createPair();
    const runs = (['feature-extraction', 'fine-tuning'] as const).map((strategy) => store.createRun({ name: strategy, pairId, config: sampleConfig({ strategy }), ...who }));
    for (const r of runs) store.complete(r.id, sampleResult(), null);
    const slot = (strategy: SweepSlot['strategy'], runId: string | null, perClass = 5): SweepSlot => ({ perClass, seed: 42, strategy, images: perClass * 3, config: sampleConfig({ strategy }), pairId: runId ? pairId : null, runId });
    const done = sweeps.create({ name: 'done', config: sweepConfig(), ...who }, [slot('feature-extraction', runs[0].id), slot('fine-tuning', runs[1].id)]);
    sweeps.setStatus(done, 'completed');
    const live = sweeps.create({ name: 'live', config: sweepConfig({ name: 'live', datasetId: 'folder-0123456789ab', testPerClass: 50 }), ...who }, [slot('feature-extraction', runs[0].id, 10), slot('fine-tuning', null, 10)]);
    const elsewhere = sweeps.create({ name: 'other class', config: sweepConfig(), studentName: 'Bob', classSession: 'ML-102' }, []);
    return { file, db, store, sweeps, ids: { done, live, elsewhere }, runs };
  }

  it('carries every sweep of the class with its runs linked, and an import on another SQLite file gets them back', () => {
    const from = classWithSweeps();
    const content = from.store.exportClass('ML-101').content;
    const file = JSON.parse(content);
    expect(file.version).toBe(EXPORT_VERSION);
    expect(file.sweeps.map((s: { name: string }) => s.name)).toEqual(['done', 'live']);

    const toFile = join(mkdtempSync(join(tmpdir(), 'tl-transfer-')), 'teacher.sqlite');
    const db = openDatabase(toFile);
    open.push(db);
    const to = new RunStore(db);
    expect(to.importJson(content)).toEqual({ imported: 2, skipped: 0, sweeps: { imported: 2, skipped: 0 } });
    db.close();
    open.splice(open.indexOf(db), 1);
    // Read back from the file itself, as the app would after a restart.
    const reopened = openDatabase(toFile);
    open.push(reopened);
    const back = new SweepStore(reopened);
    expect(back.get(from.ids.done)).toEqual(from.sweeps.get(from.ids.done));
    expect(back.runs(from.ids.done)).toEqual(from.sweeps.runs(from.ids.done));
    expect(back.runs(from.ids.done).map((s) => s.run.status)).toEqual(['completed', 'completed']);
    // The running one stops as cancelled here (nothing trains on import); its slots are as they were.
    expect(back.get(from.ids.live)).toMatchObject({ status: 'cancelled', error: expect.stringMatching(/still running in another installation/), config: from.sweeps.get(from.ids.live).config });
    expect(back.runs(from.ids.live)).toEqual(from.sweeps.runs(from.ids.live));
    expect(back.exists(from.ids.elsewhere)).toBe(false);
    expect(back.sweepOf(from.runs[1].id)).toBe(from.ids.done);

    // Imported again: everything is already there.
    expect(new RunStore(reopened).importJson(content)).toEqual({ imported: 0, skipped: 2, sweeps: { imported: 0, skipped: 2 } });
  });

  it('leaves a slot for a resume to fill when its run is in neither the file nor the store, and refuses a sweep listed twice', () => {
    const from = classWithSweeps();
    const file = JSON.parse(from.store.exportClass('ML-101').content);
    file.runs = file.runs.filter((r: { strategy: string }) => r.strategy === 'feature-extraction');
    const to = freshStore();
    expect(to.importJson(JSON.stringify(file))).toMatchObject({ imported: 1, sweeps: { imported: 2, skipped: 0 } });
    const slots = new SweepStore(to.db).runs(from.ids.done);
    expect(slots.map((s) => [s.strategy, s.runId])).toEqual([['feature-extraction', from.runs[0].id], ['fine-tuning', null]]);

    file.sweeps.push(file.sweeps[0]);
    const empty = freshStore();
    expect(() => empty.importJson(JSON.stringify(file))).toThrow(/lists sweep .* twice \(sweeps\[2\]\)/);
    expect(empty.db.prepare('SELECT count(*) FROM runs').pluck().get()).toBe(0);
    file.sweeps.pop();
    file.sweeps[0].slots[0].config.epochs = 'many';
    expect(() => empty.importJson(JSON.stringify(file))).toThrow(/sweeps\[0\]\.slots\[0\]\.config\.epochs/);
  });
});
