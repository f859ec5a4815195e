// The embedding cache key names the model exactly: its files' hashes and its preprocessing, not
// only its id, so a model re-imported under a freed id never gets the old model's embeddings. Its
// rows are per image: runs on other subsets of a set find them, and only the unseen are computed.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importedDir } from '../../models/backbone-dirs.js';
import { writeIntegrity } from '../../models/model-files.js';
import { SIDECAR_FILE } from '../../models/sidecar.js';
import { miniGraphModelFiles } from '../backbones/testing/mini-models.js';
import type { TrainConfig } from '../../contract/index.js';
import type { LoadedData } from '../types.js';
import { createDataSource } from '../../datasets/index.js';
import { cacheDir, embeddingFileStore } from '../../files/embedding-files.js';
import { decodeSegment, encodeSegment, memoryEmbeddingStore, rowId, rowIds, segmentKey, SegmentMemory } from './embedding-segments.js';
import { cachedEmbeddings, clearEmbeddingMemory, computeEmbeddings, embeddingCacheKey, embeddingCacheNote } from './embeddings.js';
import { realEngineDeps } from './parts.js';
import { runTraining } from './run-training.js';
import { freshBackbone, resourcesDir, testDeps, testEnv, tinyConfig } from './testing/engine-fixtures.js';

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

/** Loads a subset of the real shipped digits (10 classes, 8,000 to draw from, a fixed test pool of 2,000). */
async function digits(perClass: number, seed: number, dataDir: string) {
  return createDataSource({ resourcesDir, dataDir }).load({ id: 'digits', perClass }, { targetShape: [28, 28, 1], seed });
}

async function wasmBackbone() {
  await realEngineDeps().selectBackend('wasm');
  return freshBackbone(3);
}

const rowsOf = (e: { features: Float32Array; dim: number }, i: number) => Buffer.from(e.features.buffer, e.features.byteOffset + i * e.dim * 4, e.dim * 4);

describe('the embedding cache, per image', () => {
  it('after a run on 300 per class, a run on 100 per class of the same set computes no embedding, and one on another seed only the unseen images', async () => {
    const backbone = await wasmBackbone();
    const { dataDir } = testEnv();
    const store = embeddingFileStore(dataDir);
    const big = await digits(300, 5, dataDir);
    const first = await cachedEmbeddings(backbone, big, store);
    expect(first).toMatchObject({ source: 'computed', fromCache: 0, computed: big.labels.length });
    expect(embeddingCacheNote(first)).toMatch(/^Embeddings of 5000 images computed/);

    // A new worker process: nothing in memory, every row from the files.
    clearEmbeddingMemory();
    const small = await digits(100, 5, dataDir);
    const second = await cachedEmbeddings(backbone, small, store);
    expect(second).toMatchObject({ source: 'disk', fromCache: small.labels.length, computed: 0 });
    expect(embeddingCacheNote(second)).toMatch(/all 3000 images came from the disk cache/);

    const other = await digits(100, 6, dataDir);
    const seen = new Set(big.sampleIds);
    const unseen = other.sampleIds.filter((id) => !seen.has(id)).length;
    expect(unseen).toBeGreaterThan(0);
    const third = await cachedEmbeddings(backbone, other, store);
    expect(third).toMatchObject({ source: 'computed', computed: unseen, fromCache: other.labels.length - unseen });
    expect(embeddingCacheNote(third)).toMatch(new RegExp(`${other.labels.length - unseen} of 3000 images came from the cache.*${unseen} were computed`));

    // Rows from the cache are bit for bit what the base computes for those images now, in other batches.
    for (const [data, got] of [[small, second], [other, third]] as const) {
      const fresh = await computeEmbeddings(backbone, data);
      const differing = data.sampleIds.filter((_, i) => !rowsOf(got.embeddings, i).equals(rowsOf(fresh, i)));
      expect(differing).toEqual([]);
    }
    expect((await cachedEmbeddings(backbone, small, store)).source).toBe('memory');
    backbone.model!.dispose();
  }, 120_000);

  it('keeps every row when two workers write at once, and ignores what is not a whole segment', async () => {
    const backbone = await wasmBackbone();
    const { dataDir } = testEnv();
    const store = embeddingFileStore(dataDir);
    const a = await digits(20, 1, dataDir);
    const b = await digits(20, 2, dataDir);
    clearEmbeddingMemory();
    await Promise.all([cachedEmbeddings(backbone, a, store), cachedEmbeddings(backbone, b, store)]);
    // A writer stopped mid-write leaves a temporary file; a damaged segment is no segment.
    const dir = cacheDir(dataDir);
    const [seg] = readdirSync(dir).filter((n) => n.endsWith('.bin'));
    writeFileSync(path.join(dir, `${seg}.123.tmp`), 'half a segment');
    const damaged = `${seg.slice(0, 32)}${'0'.repeat(16)}.bin`;
    writeFileSync(path.join(dir, damaged), readFileSync(path.join(dir, seg)).subarray(0, 200));
    clearEmbeddingMemory();
    const both = await digits(40, 1, dataDir);
    const wantFromCache = new Set([...a.sampleIds, ...b.sampleIds]);
    const again = await cachedEmbeddings(backbone, both, store);
    expect(again.fromCache).toBe(both.sampleIds.filter((id) => wantFromCache.has(id)).length);
    expect(again.computed).toBe(both.sampleIds.length - again.fromCache);
    const fresh = await computeEmbeddings(backbone, both);
    expect(both.sampleIds.filter((_, i) => !rowsOf(again.embeddings, i).equals(rowsOf(fresh, i)))).toEqual([]);
    backbone.model!.dispose();
  }, 120_000);

  /** Two workers embedding one set at once, taking chunks in the given orders; checks both got every row right. */
  async function twoWorkers(seed: number, orderA: (c: Int32Array[]) => Int32Array[], orderB: (c: Int32Array[]) => Int32Array[]) {
    const backbone = await wasmBackbone();
    const { dataDir } = testEnv();
    const store = embeddingFileStore(dataDir);
    const data = await digits(300, seed, dataDir);
    clearEmbeddingMemory();
    const [a, b] = await Promise.all([
      cachedEmbeddings(backbone, data, store, { chunkOrder: orderA }),
      cachedEmbeddings(backbone, data, store, { chunkOrder: orderB }),
    ]);
    for (const got of [a, b]) expect(got.fromCache + got.computed).toBe(data.labels.length);
    const fresh = await computeEmbeddings(backbone, data);
    for (const got of [a, b]) expect(data.sampleIds.filter((_, i) => !rowsOf(got.embeddings, i).equals(rowsOf(fresh, i)))).toEqual([]);
    return { a, b, total: data.labels.length, again: () => cachedEmbeddings(backbone, data, store), dispose: () => backbone.model!.dispose() };
  }

  it('two workers embedding the same images at once compute each about once: each stores chunks, and skips what the other stored', async () => {
    // Opposite orders: whatever the timing, at most the chunks where they meet are computed twice.
    const { a, b, total, dispose } = await twoWorkers(7, (c) => c, (c) => [...c].reverse());
    expect(a.computed + b.computed).toBeGreaterThanOrEqual(total);
    expect(a.computed + b.computed).toBeLessThanOrEqual(total + 512);
    dispose();
  }, 120_000);

  it('two workers taking the chunks in the same order split them by their claims: at most the last two are computed twice', async () => {
    const { a, b, total, again, dispose } = await twoWorkers(8, (c) => c, (c) => c);
    expect(Math.min(a.computed, b.computed), 'both workers embedded a share').toBeGreaterThan(0);
    expect(a.computed + b.computed).toBeLessThanOrEqual(total + 512);
    // The claims are no segments: a later run reads every row from the segments alone.
    clearEmbeddingMemory();
    expect((await again()).computed).toBe(0);
    dispose();
  }, 120_000);

  it('without a list, finds the fixed test pool and an identical subset by their keys', async () => {
    const backbone = await wasmBackbone();
    const { dataDir } = testEnv();
    const full = memoryEmbeddingStore();
    const store = { get: full.get, put: full.put };
    clearEmbeddingMemory();
    const a = await digits(5, 1, dataDir);
    expect((await cachedEmbeddings(backbone, a, store)).computed).toBe(a.labels.length);
    clearEmbeddingMemory();
    expect((await cachedEmbeddings(backbone, a, store)).computed).toBe(0);
    clearEmbeddingMemory();
    const b = await digits(6, 1, dataDir);
    // Another subset: the test pool's 2,000 rows are found, the pool's 60 are computed again.
    expect(await cachedEmbeddings(backbone, b, store)).toMatchObject({ computed: 60, fromCache: 2000 });
    backbone.model!.dispose();
  }, 120_000);
});

describe('a feature-extraction run', () => {
  it('gives the same result from cached rows of another subset as from embeddings computed fresh', async () => {
    const config = tinyConfig({ dataset: { id: 'fashion-target', perClass: 12 }, epochs: 3 });
    const train = async (env: ReturnType<typeof testEnv>, id: string, c = config) => {
      const out = await runTraining(id, c, env, () => {}, new AbortController().signal, testDeps().deps);
      if (out.status !== 'completed') throw new Error(`${id} did not complete: ${JSON.stringify(out)}`);
      return out.result;
    };
    clearEmbeddingMemory();
    const warm = testEnv();
    await train(warm, 'bigger', { ...config, dataset: { id: 'fashion-target', perClass: 30 } });
    clearEmbeddingMemory();
    const cached = await train(warm, 'cached');
    clearEmbeddingMemory();
    const fresh = await train(testEnv(), 'fresh');
    expect(cached.notes.join(' ')).toMatch(/all \d+ images came from the disk cache/);
    expect(fresh.notes.join(' ')).toMatch(/images computed once with the frozen base/);
    expect(cached.test).toEqual(fresh.test);
    expect(cached.confusion).toEqual(fresh.confusion);
    expect(cached.misclassified).toEqual(fresh.misclassified);
    expect([cached.bestEpoch, cached.bestValAcc, cached.finalValAcc]).toEqual([fresh.bestEpoch, fresh.bestValAcc, fresh.finalValAcc]);
  }, 120_000);
});

describe('a fine-tuning run after a feature-extraction run on the same data', () => {
  // Unfreezing blocks reorders the model's weight list (trainable weights first); the key must name
  // the weights, not that order, or the pair's second run computes every embedding again.
  it.each([1, 3])('finds every embedding the first run cached (unfreezing %i blocks)', async (unfreezeBlocks) => {
    const env = testEnv();
    const run = async (c: Partial<TrainConfig> & Pick<TrainConfig, 'strategy'>) => {
      const out = await runTraining(`run-${c.strategy}`, tinyConfig({ headEpochs: 1, epochs: 1, ...c }), env, () => {}, new AbortController().signal, testDeps().deps);
      if (out.status !== 'completed') throw new Error(`${c.strategy} did not complete: ${JSON.stringify(out)}`);
      return out.result;
    };
    clearEmbeddingMemory();
    const fe = await run({ strategy: 'feature-extraction' });
    clearEmbeddingMemory();
    const ft = await run({ strategy: 'fine-tuning', unfreezeBlocks, twoPhase: true });
    expect(fe.notes.join(' ')).toMatch(/images computed once with the frozen base/);
    expect(ft.notes.join(' ')).toMatch(/all \d+ images came from the disk cache/);
  }, 120_000);
});

describe('segments', () => {
  it('decode only when whole and of this format', () => {
    const ids = rowIds(['x:1', 'x:2'], undefined, [0, 1]);
    const seg = encodeSegment(ids, Float32Array.from([1, 2, 3, 4, 5, 6]), 3);
    expect(decodeSegment('k', seg)).toMatchObject({ count: 2, dim: 3, features: Float32Array.from([1, 2, 3, 4, 5, 6]) });
    expect(decodeSegment('k', seg.subarray(0, seg.length - 1))).toBeNull();
    expect(decodeSegment('k', Float32Array.from([1, 2, 3, 4, 5]))).toBeNull();
    expect(() => encodeSegment(ids, new Float32Array(5), 3)).toThrow(/needs 6 values, got 5/);
    // A folder image is its path and its bytes: an edited file is another image.
    expect(rowId('cat/1.png', 'aa')).not.toEqual(rowId('cat/1.png', 'bb'));
    expect(segmentKey('ab'.repeat(16), ids)).toMatch(/^[a-f0-9]{48}$/);
  });

  it('in memory stay under their limit, the newest kept', () => {
    const memory = new SegmentMemory(1000);
    const seg = (key: string) => decodeSegment(key, encodeSegment(rowIds([key], undefined, [0]), new Float32Array(100), 100))!;
    memory.remember(seg('a'));
    memory.remember(seg('b'));
    memory.remember(seg('c'));
    expect(memory.bytes()).toBeLessThanOrEqual(1000);
    expect(memory.get('c')).toBeDefined();
    expect(memory.get('a')).toBeUndefined();
  });
});
