import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../store/database.js';
import { migrations } from '../store/migrations/index.js';
import { RunStore } from './run-store.js';
import { sampleConfig, sampleEpoch, sampleResult } from './testing/sample-runs.js';

const tempFile = () => join(mkdtempSync(join(tmpdir(), 'tl-runs-mig-')), 'app.sqlite');
const tables = (db: Database.Database) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[]);

describe('runs migrations (002, 003)', () => {
  it('builds the run tables on an empty file', () => {
    const db = openDatabase(tempFile());
    expect(schemaVersion(db)).toBe(migrations.at(-1)!.version);
    expect(tables(db)).toEqual(expect.arrayContaining(['pairs', 'runs', 'run_epochs', 'run_batches', 'run_results', 'run_tags', 'settings']));
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT * FROM runs WHERE status = 'completed' ORDER BY created_at DESC").all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX runs_status_created/);
    db.close();
  });

  // One case per earlier version: today that is version 1 only; a v3 adds "from v2" here.
  for (const from of migrations.slice(0, -1).map((m) => m.version)) {
    it(`upgrades a version ${from} file that holds data, keeping it`, () => {
      const file = tempFile();
      const old = openDatabase(file, migrations.filter((m) => m.version <= from));
      old.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('studentName', '"Ada"');
      old.prepare('INSERT INTO lesson_positions VALUES (?, ?, ?, ?)').run('Ada', 'intro', 3, '2025-01-01T00:00:00Z');
      expect(schemaVersion(old)).toBe(from);
      old.close();

      const db = openDatabase(file);
      expect(schemaVersion(db)).toBe(migrations.at(-1)!.version);
      expect(db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get('studentName')).toBe('"Ada"');
      expect(db.prepare('SELECT page FROM lesson_positions').pluck().get()).toBe(3);
      const store = new RunStore(db);
      const run = store.createRun({ name: 'first', pairId: null, config: sampleConfig(), studentName: 'Ada', classSession: '' });
      expect(store.get(run.id).status).toBe('queued');
      db.close();
    });
  }

  it('keeps runs recorded before test sets loadable: NULL test columns, the seed from their config', () => {
    const file = tempFile();
    const old = openDatabase(file, migrations.filter((m) => m.version <= 2));
    const config = JSON.stringify(sampleConfig({ seed: 7 }));
    old.prepare(`INSERT INTO runs (id, name, status, strategy, backbone_id, dataset_id, created_at, config, rung, best_val_acc, final_val_acc)
      VALUES ('old', 'before tests', 'completed', 'feature-extraction', 'b', 'd', '2025-01-01T00:00:00Z', ?, 'wasm', 0.9, 0.9)`).run(config);
    old.prepare(`INSERT INTO run_results (run_id, classes, confusion, per_class_acc, misclassified, embedding_cache, notes)
      VALUES ('old', '["a","b"]', '[[1,0],[0,1]]', '[1,1]', '[]', 'memory', '[]')`).run();
    old.close();
    const db = openDatabase(file);
    const store = new RunStore(db);
    const run = store.get('old');
    expect(run).toMatchObject({ bestValAcc: 0.9, testAcc: null, testLow: null, testHigh: null, testN: null, seed: 7, repeatId: null });
    expect(run.result).toMatchObject({ valN: 0, test: null, stopped: null, confusion: [[1, 0], [0, 1]] });
    // Sorted by test accuracy, a run without one comes after those with one.
    const scored = store.createRun({ name: 'scored', pairId: null, config: sampleConfig(), studentName: '', classSession: '' });
    store.complete(scored.id, sampleResult(), null);
    for (const order of ['asc', 'desc'] as const) {
      expect(store.list({ sort: 'testAcc', order, limit: 10, offset: 0 }).runs.map((r) => r.id)).toEqual([scored.id, 'old']);
    }
    db.close();
  });

  it('deletes a run with all it recorded (foreign keys cascade)', () => {
    const db = openDatabase(tempFile());
    const store = new RunStore(db);
    const run = store.createRun({ name: 'r', pairId: null, config: sampleConfig(), studentName: '', classSession: '' });
    store.appendEpoch(run.id, sampleEpoch(0));
    store.appendBatches(run.id, [{ step: 0, loss: 1, acc: 0 }]);
    store.update(run.id, { tags: ['a'] });
    store.complete(run.id, sampleResult(), null);
    db.prepare('DELETE FROM runs WHERE id = ?').run(run.id);
    for (const t of ['run_epochs', 'run_batches', 'run_results', 'run_tags']) {
      expect(db.prepare(`SELECT count(*) FROM ${t}`).pluck().get()).toBe(0);
    }
    db.close();
  });
});
