// The test images stay out of training and out of every choice: for a shipped subset (its fixed test
// pool) and for a user's folder (carved by seed), and the two runs of a pair are scored on one set.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairConfigs } from '../../contract/budget.js';
import { unpackCorrect } from '../../contract/stats.js';
import { folderIdFor, writeRegistry } from '../../datasets/folder-registry.js';
import { resolveRoot } from '../../datasets/folder-walk.js';
import { makeImageFolder, type FolderFixture } from '../../datasets/testing/image-folder.js';
import type { WorkerEnv } from '../../worker-protocol/messages.js';
import type { LoadedData, Split } from '../types.js';
import type { EngineDeps } from './deps.js';
import { runTraining, type RunOutcome } from './run-training.js';
import { testDeps, testEnv, tinyConfig } from './testing/engine-fixtures.js';

const signal = () => new AbortController().signal;

/** Real deps that also keep each run's data and split, to check them against what the run reports. */
function recordingDeps(tamper?: (s: Split) => Split) {
  const { deps } = testDeps();
  const seen: Array<{ data: LoadedData; split: Split }> = [];
  const recording: EngineDeps = {
    ...deps,
    split: (data, f, s) => {
      const split = (tamper ?? ((x) => x))(deps.split(data, f, s));
      seen.push({ data, split });
      return split;
    },
  };
  return { deps: recording, seen };
}

const ids = (d: LoadedData, idx: Int32Array) => Array.from(idx, (i) => d.sampleIds[i]);
function completed(out: RunOutcome) {
  if (out.status !== 'completed') throw new Error(`run ${out.status}: ${out.status === 'failed' ? out.error : ''}`);
  return out.result;
}

describe('held-out test images', () => {
  it('a shipped subset: the whole fixed test pool is the test set, never trained or validated on, and the pair shares it', async () => {
    const { deps, seen } = recordingDeps();
    const env = testEnv();
    const { strategy: _s, ...ft } = tinyConfig({ strategy: 'fine-tuning', unfreezeBlocks: 1, twoPhase: true, headEpochs: 1, epochs: 1 });
    const [feConfig, ftConfig] = pairConfigs({ ...ft, earlyStopping: { enabled: true, patience: 2 } }, 40);
    const fe = completed(await runTraining('pair-fe', { ...feConfig, epochs: 3 }, env, () => {}, signal(), deps));
    const tuned = completed(await runTraining('pair-ft', ftConfig, env, () => {}, signal(), deps));

    for (const { data, split } of seen) {
      // The loop checks every batch against these; a completed run had no test image in any batch.
      const test = new Set(ids(data, split.test));
      expect(test.size).toBe(100);
      for (const id of test) expect(Number(id.split(':')[1])).toBeGreaterThanOrEqual(200); // the pool holds 0-199
      for (const id of [...ids(data, split.train), ...ids(data, split.val)]) expect(test.has(id)).toBe(false);
    }
    expect(ids(seen[1].data, seen[1].split.test)).toEqual(ids(seen[0].data, seen[0].split.test));
    expect(fe.test!.setId).toBe(tuned.test!.setId);
    expect([fe.test!.n, tuned.test!.n]).toEqual([100, 100]);
    for (const r of [fe, tuned]) {
      expect(unpackCorrect(r.test!.correctFlags, 100).filter(Boolean).length).toBe(r.test!.correct);
      expect(r.test!.low).toBeLessThanOrEqual(r.test!.accuracy);
      expect(r.test!.high).toBeGreaterThanOrEqual(r.test!.accuracy);
      expect(r.valN).toBe(seen[0].split.val.length);
    }
    // Another subset of the same set, another seed: still scored on the same images.
    const other = completed(await runTraining('other', tinyConfig({ seed: 99, dataset: { id: 'fashion-target', perClass: 12 }, epochs: 1 }), env, () => {}, signal(), deps));
    expect(other.test!.setId).toBe(fe.test!.setId);
  }, 90_000);

  it('stops a run whose test image reached a training batch', async () => {
    const leak = (s: Split): Split => ({ ...s, train: Int32Array.from([s.test[0], ...s.train]) });
    const { deps } = recordingDeps(leak);
    const out = await runTraining('leak', tinyConfig({ epochs: 1 }), testEnv(), () => {}, signal(), deps);
    expect(out.status === 'failed' && out.error).toMatch(/A test image \(index \d+\) reached a training batch/);
  }, 60_000);

  describe('a folder', () => {
    let fx: FolderFixture;
    let env: WorkerEnv;
    let id: string;
    beforeAll(async () => {
      fx = await makeImageFolder({ n: 8, withEmptyClass: false });
      env = testEnv();
      const root = await resolveRoot(fx.root);
      id = folderIdFor(root);
      const info = { id, name: 'pets', source: 'folder' as const, role: 'user' as const, description: '', classes: ['cats', 'dogs'], counts: [8, 8], imageSize: [16, 20, 3] as [number, number, number], path: root };
      await writeRegistry(env.dataDir, [{ id, path: root, addedAt: new Date(0).toISOString(), info }]);
    });
    afterAll(() => rmSync(fx.base, { recursive: true, force: true }));

    it('carves a stratified test set by seed that no batch ever holds, and warns that it is small', async () => {
      const { deps, seen } = recordingDeps();
      const result = completed(await runTraining('folder', tinyConfig({ dataset: { id, perClass: null }, epochs: 2, validationSplit: 0.2 }), env, () => {}, signal(), deps));
      const [{ data, split }] = seen;
      expect(split.test.length).toBe(4); // 20 % of 8, per class
      expect(ids(data, split.test).map((s) => s.split('/')[0]).sort()).toEqual(['cats', 'cats', 'dogs', 'dogs']);
      const test = new Set(ids(data, split.test));
      for (const s of [...ids(data, split.train), ...ids(data, split.val)]) expect(test.has(s)).toBe(false);
      expect(result.test).toMatchObject({ n: 4 });
      expect(result.notes.join(' ')).toMatch(/Small test set: only 4 images/);
      // Same seed, same test images; the pair's other strategy would be scored on them too.
      const again = completed(await runTraining('folder2', tinyConfig({ strategy: 'fine-tuning', twoPhase: false, unfreezeBlocks: 1, dataset: { id, perClass: null }, epochs: 1, validationSplit: 0.2 }), env, () => {}, signal(), deps));
      expect(ids(seen[1].data, seen[1].split.test)).toEqual(ids(data, split.test));
      expect(again.test!.setId).toBe(result.test!.setId);
    }, 60_000);

    it('refuses a folder too small to hold out test images, saying how many are needed', async () => {
      const out = await runTraining('tiny', tinyConfig({ dataset: { id, perClass: 2 } }), env, () => {}, signal(), testDeps().deps);
      expect(out.status === 'failed' && out.error).toMatch(/Every class of "folder-[0-9a-f]+" needs at least 3 images \(one each to train, validate and test\): "cats" has 2, add 1; "dogs" has 2, add 1/);
    }, 60_000);
  });
});
