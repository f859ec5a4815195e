import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { FromWorker } from '../../worker-protocol/messages.js';
import { buildTlResnet, tlResnetBlocks } from '../backbones/tl-resnet.js';
import { createHead } from './head.js';
import { loadLayersModelFromDir } from '../backbones/model-io.js';
import { runTraining } from './run-training.js';
import { Messages, testDeps, testEnv, tinyConfig, weightValues } from './testing/engine-fixtures.js';

const signal = () => new AbortController().signal;

describe('runTraining', () => {
  it('feature extraction leaves every base weight bit-identical and trains the head', async () => {
    const { deps, initial } = testDeps();
    const env = testEnv();
    const msgs = new Messages();
    const before = tf.memory().numTensors;
    const out = await runTraining('fe1', tinyConfig(), env, msgs.emit, signal(), deps);
    expect(out.status, JSON.stringify(msgs.of('failed'))).toBe('completed');
    if (out.status !== 'completed') return;
    expect(tf.memory().numTensors).toBe(before);
    for (const m of msgs.all) expect(FromWorker.safeParse(m).success).toBe(true);

    const saved = await loadLayersModelFromDir(out.modelDir!);
    const after = weightValues(saved.layers.filter((l) => !l.name.startsWith('transfer_')));
    expect(after.size).toBe(initial().size);
    for (const [name, values] of initial()) expect(Buffer.from(after.get(name)!.buffer).equals(Buffer.from(values.buffer)), name).toBe(true);
    const head0 = createHead(64, 5, 11);
    const kernel0 = head0.dense.getWeights()[0].dataSync();
    const kernel1 = saved.getLayer('transfer_head').getWeights()[0].dataSync();
    expect(kernel1.some((v, i) => v !== kernel0[i])).toBe(true);
    head0.layers.forEach((l) => l.dispose());
    saved.dispose();

    expect(msgs.of('started')[0]).toMatchObject({ rung: 'wasm', trainableParams: 64 * 5 + 5 });
    expect(msgs.of('epoch')).toHaveLength(2);
    expect(out.result.embeddingCache).toBe('disk');
    expect(out.result.confusion.flat().reduce((a, b) => a + b, 0)).toBe(10);
    const progress = msgs.of('progress').map((m) => m.progress);
    expect(progress.map((p) => p.phase)).toEqual(expect.arrayContaining(['decoding', 'caching-embeddings', 'training-head', 'evaluating']));
    for (let i = 1; i < progress.length; i++) expect(progress[i].fraction).toBeGreaterThanOrEqual(progress[i - 1].fraction - 1e-9);

    // A second run on the same data reuses the cached embeddings.
    const again = await runTraining('fe2', tinyConfig(), env, msgs.emit, signal(), deps);
    expect(again.status === 'completed' && again.result.embeddingCache).toBe('memory');
  }, 60000);

  it('with augmentation, feature extraction runs the base every batch and records that there is no cache', async () => {
    const { deps, initial } = testDeps();
    const out = await runTraining('aug', tinyConfig({ augment: true, epochs: 1 }), testEnv(), () => {}, signal(), deps);
    expect(out.status).toBe('completed');
    if (out.status !== 'completed') return;
    expect(out.result.embeddingCache).toBe('off');
    expect(out.result.notes.join(' ')).toMatch(/embeddings could not be cached/);
    const saved = await loadLayersModelFromDir(out.modelDir!);
    expect(Buffer.from(weightValues(saved.layers).get('block3_bn2/moving_mean')!.buffer).equals(Buffer.from(initial().get('block3_bn2/moving_mean')!.buffer))).toBe(true);
    saved.dispose();
  }, 60000);

  it('fine-tuning the last block changes exactly that block and keeps frozen BN statistics', async () => {
    const { deps, initial } = testDeps();
    const msgs = new Messages();
    const before = tf.memory().numTensors;
    const out = await runTraining('ft1', tinyConfig({ strategy: 'fine-tuning', unfreezeBlocks: 1, twoPhase: false, epochs: 1, learningRate: 1e-3 }), testEnv(), msgs.emit, signal(), deps);
    expect(out.status, JSON.stringify(msgs.of('failed'))).toBe('completed');
    if (out.status !== 'completed') return;
    expect(tf.memory().numTensors).toBe(before);
    const saved = await loadLayersModelFromDir(out.modelDir!);
    const probe = buildTlResnet({ seed: 1 });
    const blocks = tlResnetBlocks(probe);
    probe.dispose();
    const unfrozen = new Set(blocks[blocks.length - 1]);
    const after = weightValues(saved.layers);
    for (const [name, values] of initial()) {
      const same = Buffer.from(after.get(name)!.buffer).equals(Buffer.from(values.buffer));
      expect(same, `${name} should ${unfrozen.has(name.split('/')[0]) ? 'change' : 'stay'}`).toBe(!unfrozen.has(name.split('/')[0]));
    }
    saved.dispose();
  }, 60000);

  it('unfrozen BatchNorm: batch statistics update the moving averages, inference mode keeps them', async () => {
    const moved = async (mode: 'batch-statistics' | 'inference') => {
      const { deps, initial } = testDeps();
      const out = await runTraining(`bn-${mode}`, tinyConfig({ strategy: 'fine-tuning', unfreezeBlocks: 1, twoPhase: false, epochs: 1, learningRate: 1e-3, unfrozenBatchNorm: mode }), testEnv(), () => {}, signal(), deps);
      expect(out.status).toBe('completed');
      if (out.status !== 'completed') throw new Error('run failed');
      const saved = await loadLayersModelFromDir(out.modelDir!);
      const after = weightValues(saved.layers);
      saved.dispose();
      const changed = (name: string) => !Buffer.from(after.get(name)!.buffer).equals(Buffer.from(initial().get(name)!.buffer));
      return { changed, notes: out.result.notes.join(' ') };
    };
    const batch = await moved('batch-statistics');
    expect(['block3_bn1/moving_mean', 'block3_bn2/moving_variance'].map(batch.changed)).toEqual([true, true]);
    expect(batch.notes).toMatch(/unfrozen BatchNorm layers normalised each batch with its own statistics/);
    const inference = await moved('inference');
    expect(['block3_bn1/moving_mean', 'block3_bn1/moving_variance', 'block3_bn2/moving_mean', 'block3_bn2/moving_variance'].map(inference.changed)).toEqual([false, false, false, false]);
    // Everything else in the unfrozen block still trains, BatchNorm's scale and offset included.
    expect(['block3_conv1/kernel', 'block3_bn1/gamma', 'block3_bn1/beta'].map(inference.changed)).toEqual([true, true, true]);
    expect(inference.notes).toMatch(/unfrozen BatchNorm layers ran in inference mode \(Keras' recommendation\)/);
  }, 60000);

  it('lets frozen BatchNorm statistics move only when the experiment switch is on', async () => {
    const { deps, initial } = testDeps();
    const out = await runTraining('ft2', tinyConfig({ strategy: 'fine-tuning', unfreezeBlocks: 1, twoPhase: false, epochs: 1, trainFrozenBatchNorm: true }), testEnv(), () => {}, signal(), deps);
    expect(out.status).toBe('completed');
    if (out.status !== 'completed') return;
    const saved = await loadLayersModelFromDir(out.modelDir!);
    const after = weightValues(saved.layers);
    expect(Buffer.from(after.get('stem_bn/moving_mean')!.buffer).equals(Buffer.from(initial().get('stem_bn/moving_mean')!.buffer))).toBe(false);
    expect(Buffer.from(after.get('stem_conv/kernel')!.buffer).equals(Buffer.from(initial().get('stem_conv/kernel')!.buffer))).toBe(true);
    expect(out.result.notes.join(' ')).toMatch(/moving statistics changed/);
    saved.dispose();
  }, 60000);
});
