import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { DataSource, LoadedData, Split } from '../types.js';
import { exportRunModel } from './node-export-model.js';
import { runTraining } from './run-training.js';
import { Messages, testDeps, testEnv, tinyConfig } from './testing/engine-fixtures.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const signal = () => new AbortController().signal;

describe('runTraining: comparable, cancellable, clear about errors', () => {
  it('same seed gives the same split and the same first-epoch metrics, for both strategies', async () => {
    const { deps } = testDeps();
    const splits: Split[] = [];
    const recording = { ...deps, split: (d: LoadedData, f: number, s: number) => { const r = deps.split(d, f, s); splits.push(r); return r; } };
    const runs = [
      tinyConfig({ epochs: 1 }),
      tinyConfig({ epochs: 1 }),
      // Fine-tuning's head phase at the same learning rate sees the same head, batches and order.
      tinyConfig({ strategy: 'fine-tuning', twoPhase: true, headEpochs: 1, headLearningRate: 1e-3, epochs: 1, unfreezeBlocks: 1 }),
    ];
    const first = [];
    for (const [i, config] of runs.entries()) {
      const msgs = new Messages();
      const out = await runTraining(`same${i}`, config, testEnv(), msgs.emit, signal(), recording);
      expect(out.status).toBe('completed');
      const { seconds, imagesPerSec, ...metrics } = msgs.of('epoch')[0].metrics;
      first.push(metrics);
    }
    expect(Array.from(splits[1].train)).toEqual(Array.from(splits[0].train));
    expect(Array.from(splits[2].val)).toEqual(Array.from(splits[0].val));
    expect(first[1]).toEqual(first[0]);
    expect({ ...first[2], phase: 'head' }).toEqual(first[0]);
    expect(first[2].phase).toBe('head');

    const other = new Messages();
    await runTraining('other', tinyConfig({ epochs: 1, seed: 12 }), testEnv(), other.emit, signal(), recording);
    expect(Array.from(splits[3].val)).not.toEqual(Array.from(splits[0].val));
  }, 60000);

  it('stops within one batch when cancelled and frees every tensor', async () => {
    const { deps } = testDeps();
    await deps.selectBackend('wasm');
    const before = tf.memory().numTensors;
    const abort = new AbortController();
    const msgs = new Messages();
    let fineTuning = false;
    let abortedAt = -1;
    // The loop samples memory once after every batch: the first sample in the fine-tuning phase
    // comes right after its first batch (progress messages are throttled, so they cannot say when).
    const host = { ...deps.host, rssBytes: () => {
      if (fineTuning && abortedAt < 0) {
        abortedAt = msgs.all.length;
        abort.abort();
      }
      return deps.host.rssBytes();
    } };
    const emit = (m: Parameters<typeof msgs.emit>[0]) => {
      msgs.emit(m);
      if (m.type === 'progress' && m.progress.phase === 'fine-tuning') fineTuning = true;
    };
    // Batch 2 → 15 batches per epoch; cancel after the first must leave no epoch finished.
    const out = await runTraining('cancel', tinyConfig({ strategy: 'fine-tuning', twoPhase: false, unfreezeBlocks: 1, batchSize: 2, epochs: 3 }), testEnv(), emit, abort.signal, { ...deps, host });
    expect(out.status).toBe('cancelled');
    expect(abortedAt).toBeGreaterThan(0);
    // After the cancel at most the progress of the batch it came in streams (the sample precedes
    // that batch's progress); the outcome is reported once, by the caller.
    const after = msgs.all.slice(abortedAt);
    expect(after.length).toBeLessThanOrEqual(1);
    expect(after.filter((m) => m.type !== 'progress')).toEqual([]);
    expect(msgs.of('epoch')).toHaveLength(0);
    expect(tf.memory().numTensors).toBe(before);
  }, 60000);

  it('fails with a clear message for a missing model, empty data and an unknown data set', async () => {
    const { deps } = testDeps();
    const { realEngineDeps } = await import('./parts.js');
    const out = await runTraining('m', tinyConfig({ backboneId: 'no-such-model' }), testEnv(), () => {}, signal(), { ...deps, loadBackbone: realEngineDeps().loadBackbone });
    expect(out.status === 'failed' && out.error).toMatch(/Could not load the backbone "no-such-model"/);

    const empty: DataSource = { load: async (ref) => ({ datasetId: ref.id, classes: ['a', 'b'], shape: [28, 28, 1], pixels: new Uint8Array(0), labels: new Int32Array(0), sampleIds: [], fingerprint: 'empty' } satisfies LoadedData) };
    const before = tf.memory().numTensors;
    const e = await runTraining('e', tinyConfig(), testEnv(), () => {}, signal(), { ...deps, dataSource: () => empty });
    expect(e).toEqual({ status: 'failed', error: expect.stringMatching(/data set "fashion-target" has no images/) });
    expect(tf.memory().numTensors).toBe(before);

    const unknown = await runTraining('u', tinyConfig({ dataset: { id: 'no-such-set', perClass: null } }), testEnv(), () => {}, signal(), deps);
    expect(unknown.status === 'failed' && unknown.error).toMatch(/no-such-set/);
  }, 60000);

  it('stops early on validation loss and restores the best epoch\'s weights', async () => {
    const { deps } = testDeps();
    const msgs = new Messages();
    // A large learning rate on 30 images overfits fast, so validation loss turns up early.
    const out = await runTraining('es', tinyConfig({ epochs: 40, learningRate: 0.3, earlyStopping: { enabled: true, patience: 2 } }), testEnv(), msgs.emit, signal(), deps);
    expect(out.status).toBe('completed');
    if (out.status !== 'completed') return;
    const epochs = msgs.of('epoch').map((m) => m.metrics);
    expect(epochs.length).toBeLessThan(40);
    const best = epochs.reduce((a, b) => (b.valLoss < a.valLoss ? b : a));
    expect(out.result.bestEpoch).toBe(best.epoch);
    expect(epochs[epochs.length - 1].epoch - best.epoch).toBe(2);
    // Re-scoring with the restored weights reproduces the best epoch's accuracy exactly.
    expect(out.result.finalValAcc).toBe(best.valAcc);
    expect(out.result.notes.join(' ')).toMatch(/restored from the best epoch/);
    expect(out.result.stopped).toEqual({ kind: 'early-stopping', epoch: epochs[epochs.length - 1].epoch, cap: 40 });
    expect(out.result.notes.join(' ')).toMatch(new RegExp(`Stopped by early stopping at epoch ${epochs.length} of at most 40`));

    // A fine-tuning run that used all its epochs says it hit the cap (head phase included).
    const capped = await runTraining('cap', tinyConfig({ strategy: 'fine-tuning', unfreezeBlocks: 1, twoPhase: true, headEpochs: 2, epochs: 1 }), testEnv(), () => {}, signal(), deps);
    expect(capped.status === 'completed' && capped.result.stopped).toEqual({ kind: 'epoch-cap', epoch: 3, cap: 3 });
  }, 60000);

  it('exports the trained model, reloads it and predicts exactly what the run did', async () => {
    const { deps } = testDeps();
    const env = testEnv();
    const config = tinyConfig({ strategy: 'fine-tuning', unfreezeBlocks: 2, twoPhase: true, headEpochs: 1, epochs: 1 });
    const out = await runTraining('exp', config, env, () => {}, signal(), deps);
    expect(out.status).toBe('completed');
    const before = tf.memory().numTensors;
    const outDir = path.join(mkdtempSync(path.join(tmpdir(), 'tl-export-')), 'my model');
    const { path: exported, parity } = await exportRunModel('exp', config, outDir, env, deps);
    expect(exported).toBe(outDir);
    expect(parity.total).toBe(10);
    expect(parity.samePredictions).toBe(parity.total);
    expect(parity.maxAbsDiff).toBeLessThan(1e-5);
    expect(parity.accuracy).toBeCloseTo(out.status === 'completed' ? out.result.finalValAcc : -1, 6);
    expect(tf.memory().numTensors).toBe(before);
    // The head is one Dense layer (the standardisation folded in): fit() on the export cannot drift
    // it, and the metadata names the preprocessing a user must apply.
    const json = JSON.parse(readFileSync(path.join(exported, 'model.json'), 'utf8'));
    const layers = (json.modelTopology.model_config ?? json.modelTopology).config.layers as { name: string; class_name: string }[];
    expect(layers.map((l) => l.name)).not.toContain('transfer_standardize');
    expect(layers.at(-1)).toMatchObject({ name: 'transfer_head', class_name: 'Dense' });
    expect(json.userDefinedMetadata).toMatchObject({ preprocess: 'unit', preprocessing: { kind: 'unit', scale: [1], offset: [0], description: expect.stringMatching(/resized \(bilinear\) to 28×28, pixels scaled to \[0, 1\]/) } });
    await expect(exportRunModel('nope', config, outDir, env, deps)).rejects.toThrow(/Run nope has no saved model/);
  }, 60000);
});
