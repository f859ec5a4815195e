// The embedding cache key names the model exactly: its files' hashes and its preprocessing, not
// only its id, so a model re-imported under a freed id never gets the old model's embeddings.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importedDir } from '../../models/backbone-dirs.js';
import { writeIntegrity } from '../../models/model-files.js';
import { SIDECAR_FILE } from '../../models/sidecar.js';
import { miniGraphModelFiles } from '../backbones/testing/mini-models.js';
import type { LoadedData } from '../types.js';
import { cacheDir, cachedEmbeddings, computeEmbeddings, embeddingCacheKey } from './embeddings.js';
import { realEngineDeps } from './parts.js';
import { freshBackbone, testEnv } from './testing/engine-fixtures.js';

const data = { fingerprint: 'same-images', labels: new Int32Array(10) } as LoadedData;

async function importGraph(dataDir: string, weights: number[], preprocess?: string): Promise<string> {
  const dir = importedDir(dataDir, 'reused-id');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const { modelJson } = miniGraphModelFiles();
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
  writeFileSync(path.join(dir, 'group1-shard1of1.bin'), Buffer.from(new Float32Array(weights).buffer));
  if (preprocess) writeFileSync(path.join(dir, SIDECAR_FILE), JSON.stringify({ name: 'm', description: '', license: '', origin: 'test', preprocess }));
  await writeIntegrity(dir, 'test');
  const deps = realEngineDeps();
  await deps.selectBackend('wasm');
  const env = testEnv();
  const backbone = await deps.loadBackbone('reused-id', { ...env, dataDir });
  try {
    return embeddingCacheKey(backbone, data).key;
  } finally {
    backbone.dispose?.();
  }
}

describe('embedding cache key', () => {
  it('changes with a graph model\'s weights and with its preprocessing, under the same id', async () => {
    const { dataDir } = testEnv();
    const first = await importGraph(dataDir, [1, 2, 3]);
    expect(await importGraph(dataDir, [1, 2, 3])).toBe(first);
    expect(await importGraph(dataDir, [3, 2, 1])).not.toBe(first);
    expect(await importGraph(dataDir, [1, 2, 3], 'symmetric')).not.toBe(first);
  }, 60_000);
});

describe('the fixed test pool\'s embeddings', () => {
  it('are computed once and shared by runs on other subsets of the set', async () => {
    const deps = realEngineDeps();
    await deps.selectBackend('wasm');
    const env = testEnv();
    const backbone = freshBackbone(3);
    const load = (perClass: number, seed: number) => deps.dataSource(env).load({ id: 'digits', perClass }, { targetShape: [28, 28, 1], seed });
    const a = await load(5, 1);
    const first = await cachedEmbeddings(backbone, a, env.dataDir);
    const b = await load(8, 2);
    const second = await cachedEmbeddings(backbone, b, env.dataDir);
    // Two pool subsets and one test pool on disk; the rows are exactly what the base computes.
    expect(readdirSync(cacheDir(env.dataDir))).toHaveLength(3);
    expect([first.source, second.source]).toEqual(['computed', 'computed']);
    const direct = await computeEmbeddings(backbone, b);
    expect(Array.from(second.embeddings.features)).toEqual(Array.from(direct.features));
    expect((await cachedEmbeddings(backbone, b, env.dataDir)).source).toBe('memory');
    backbone.model!.dispose();
  }, 60_000);
});
