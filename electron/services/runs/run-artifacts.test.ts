import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../store/database.js';
import { runArtifactFolder, runArtifactRoot } from './run-artifacts.js';
import { RunStore } from './run-store.js';
import { sampleConfig, sampleResult } from './testing/sample-runs.js';

const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

/** A data folder with its database, and a store that owns the run folders under it. */
function dataFolder() {
  const dataDir = mkdtempSync(join(tmpdir(), 'tl-artifacts-'));
  const db = openDatabase(join(dataDir, 'transfer-lab.sqlite'));
  open.push(db);
  const root = runArtifactRoot(dataDir);
  return { dataDir, root, store: new RunStore(db, root) };
}

/** Writes a model folder and the validation predictions beside it, as the training worker does. */
function writeRunFiles(folder: string): string {
  const modelDir = join(folder, 'model');
  mkdirSync(modelDir, { recursive: true });
  writeFileSync(join(modelDir, 'model.json'), '{}');
  writeFileSync(join(modelDir, 'weights.bin'), Buffer.alloc(64));
  writeFileSync(join(folder, 'val-predictions.bin'), Buffer.alloc(32));
  return modelDir;
}

function completedRun(store: RunStore, root: string, name = 'cats'): { id: string; folder: string } {
  const { id } = store.createRun({ name, pairId: null, config: sampleConfig(), studentName: 'Ada', classSession: 'ML-101' });
  const folder = join(root, id);
  store.complete(id, sampleResult(), writeRunFiles(folder));
  return { id, folder };
}

describe('run artifacts on disk', () => {
  it('deleting a run deletes its model folder and prediction file, and no other run\'s', () => {
    const { root, store } = dataFolder();
    const gone = completedRun(store, root, 'gone');
    const kept = completedRun(store, root, 'kept');
    expect(store.delete([gone.id])).toBe(1);
    expect(existsSync(gone.folder)).toBe(false);
    expect(existsSync(join(kept.folder, 'model', 'model.json'))).toBe(true);
    expect(existsSync(join(kept.folder, 'val-predictions.bin'))).toBe(true);
  });

  it('never deletes a recorded model folder that lies outside the data folder\'s run folders', () => {
    const { dataDir, root, store } = dataFolder();
    const outside = mkdtempSync(join(tmpdir(), 'tl-elsewhere-'));
    const cases = [writeRunFiles(join(outside, 'run')), join(root, 'model'), join(root, '..', 'exports', 'model'), join(root, 'a', 'b', 'model')];
    writeRunFiles(join(dataDir, 'exports'));
    for (const modelDir of cases) {
      const { id } = store.createRun({ name: 'odd', pairId: null, config: sampleConfig(), studentName: '', classSession: '' });
      store.complete(id, sampleResult(), modelDir);
      store.delete([id]);
    }
    expect(existsSync(join(outside, 'run', 'model', 'model.json'))).toBe(true);
    expect(existsSync(join(dataDir, 'exports', 'model', 'model.json'))).toBe(true);
    expect(existsSync(join(dataDir, 'transfer-lab.sqlite'))).toBe(true);
  });

  it('at start removes run folders that no run owns, and keeps those of runs still without a result', () => {
    const { root, store } = dataFolder();
    const kept = completedRun(store, root);
    const training = store.createRun({ name: 'training', pairId: null, config: sampleConfig(), studentName: '', classSession: '' });
    writeRunFiles(join(root, training.id)); // saved, but not yet recorded by complete()
    writeRunFiles(join(root, 'deleted-while-training'));
    writeFileSync(join(root, 'stray.tmp'), 'x');
    const outside = writeRunFiles(mkdtempSync(join(tmpdir(), 'tl-elsewhere-')));
    symlinkSync(join(outside, '..'), join(root, 'link-to-elsewhere'));

    expect(store.removeOrphanArtifacts()).toBe(3);
    expect(existsSync(join(kept.folder, 'model', 'model.json'))).toBe(true);
    expect(existsSync(join(root, training.id, 'model', 'model.json'))).toBe(true);
    expect(existsSync(join(root, 'deleted-while-training'))).toBe(false);
    expect(existsSync(join(root, 'stray.tmp'))).toBe(false);
    expect(existsSync(join(root, 'link-to-elsewhere'))).toBe(false);
    expect(existsSync(join(outside, 'model.json'))).toBe(true); // a link is removed, never what it points to
    expect(store.removeOrphanArtifacts()).toBe(0);
  });

  it('a data folder without run folders yet has nothing to remove', () => {
    expect(dataFolder().store.removeOrphanArtifacts()).toBe(0);
  });

  it('a run\'s folder is the one above its recorded model folder, only directly in the root', () => {
    const root = join(tmpdir(), 'data', 'runs');
    expect(runArtifactFolder(root, join(root, 'r1', 'model'))).toBe(join(root, 'r1'));
    expect(runArtifactFolder(root, null)).toBeNull();
    expect(runArtifactFolder(root, join(root, 'model'))).toBeNull();
    expect(runArtifactFolder(root, join(root, '..', '..', 'model'))).toBeNull();
    expect(runArtifactFolder(root, join(root, 'r1', 'deeper', 'model'))).toBeNull();
  });
});
