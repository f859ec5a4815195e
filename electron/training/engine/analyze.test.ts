import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FlowchartAnalysis } from '../../contract/index.js';
import { importedDir } from '../../models/backbone-dirs.js';
import { writeIntegrity } from '../../models/model-files.js';
import { miniGraphModelFiles } from '../backbones/testing/mini-models.js';
import { realEngineDeps } from './parts.js';
import { analyzeDataset, balancedSubset, similarityOf } from './analyze.js';
import { knnAccuracy, twoFolds } from './knn.js';
import { testDeps, testEnv } from './testing/engine-fixtures.js';

describe('flowchart analysis', () => {
  it('k-NN separates well-separated clusters and not random points', () => {
    const labels = Int32Array.from({ length: 40 }, (_, i) => i % 2);
    const clustered = new Float32Array(40 * 3).map((_, j) => (labels[Math.floor(j / 3)] === (j % 3 === 0 ? 1 : 0) ? 1 : 0.05 * ((j * 7) % 5)));
    expect(knnAccuracy(clustered, 3, labels)).toBe(1);
    expect(Array.from(twoFolds([0, 0, 1, 1, 0]))).toEqual([0, 1, 0, 1, 0]);
    expect(similarityOf(0.9)).toBe('very-similar');
    expect(similarityOf(0.7)).toBe('somewhat-similar');
    expect(similarityOf(0.3)).toBe('very-different');
  });

  it('draws a balanced subset of at most the limit', () => {
    const labels = Int32Array.from({ length: 1000 }, (_, i) => (i < 900 ? 0 : 1));
    const subset = balancedSubset(labels, 2, 100, 1);
    const counts = [0, 0];
    for (const i of subset) counts[labels[i]]++;
    expect(counts).toEqual([50, 50]);
  });

  it('measures counts, similarity and compute on real images', async () => {
    const { deps } = testDeps();
    await deps.selectBackend('wasm');
    const before = tf.memory().numTensors;
    const a = await analyzeDataset({ id: 'fashion-target', perClass: 20 }, 'tl-resnet-s', testEnv(), deps);
    expect(FlowchartAnalysis.parse(a)).toEqual(a);
    expect(a).toMatchObject({ imageCount: 100, classCount: 5, minPerClass: 20, maxPerClass: 20, rung: 'wasm', chanceAccuracy: 0.2 });
    expect(a.probeAccuracy).toBeGreaterThan(a.chanceAccuracy);
    expect(a.imagesPerSec).toBeGreaterThan(0);
    expect(a.explanation.join(' ')).toMatch(/nearest neighbours/);
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('frees a graph-model backbone when the analysis is done', async () => {
    const env = testEnv();
    const dir = importedDir(env.dataDir, 'graph-mini');
    mkdirSync(dir, { recursive: true });
    const { modelJson, weights } = miniGraphModelFiles();
    writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
    writeFileSync(path.join(dir, 'group1-shard1of1.bin'), weights);
    await writeIntegrity(dir, 'test');
    const deps = realEngineDeps();
    await deps.selectBackend('wasm');
    const before = tf.memory().numTensors;
    const a = await analyzeDataset({ id: 'fashion-target', perClass: 4 }, 'graph-mini', env, deps);
    expect(a).toMatchObject({ imageCount: 20, classCount: 5 });
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);
});
