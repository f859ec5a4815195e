// The frozen prefix's output kept from the embedding pass: the same bits as the whole base gives,
// image by image, on wasm and cpu; only the rows the run wants, within the byte budget; the
// embedding pass and the prefix cache give what they give without it.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initWasmBackend } from '../kernels/wasm-setup.js';
import type { LoadedData } from '../types.js';
import { computeEmbeddings } from './embeddings.js';
import { splitAtBoundary } from './graph.js';
import { buildPrefixCache } from './prefix-cache.js';
import { PrefixRows, prefixRowsFor } from './prefix-rows.js';
import { freshBackbone } from './testing/engine-fixtures.js';

const COUNT = 70;

function images(): LoadedData {
  const pixels = new Uint8Array(COUNT * 28 * 28);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 2654435761) >>> 24;
  return { shape: [28, 28, 1], pixels, labels: new Int32Array(COUNT) } as unknown as LoadedData;
}

const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

function setUp(unfrozenBlocks: number, wanted = new Uint8Array(COUNT).fill(1), maxBytes?: number) {
  const backbone = freshBackbone(3);
  // Non-trivial moving statistics, as a pretrained base has.
  tf.tidy(() => { backbone.model!.apply(tf.randomUniform([16, 28, 28, 1], 0, 1, 'float32', 5), { training: true }); });
  const frozen = new Set(backbone.blocks!.slice(0, backbone.blocks!.length - unfrozenBlocks).flat());
  const split = splitAtBoundary(backbone.model!, frozen);
  const rows = prefixRowsFor(split, wanted, { augment: false, trainFrozenBatchNorm: false, cachePrefix: true })!;
  const limited = maxBytes === undefined ? rows : new PrefixRows(split.prefix!, split.suffix!, rows.rowShape, wanted, maxBytes);
  return { backbone, split, rows: limited, data: images() };
}

describe.each(['wasm', 'cpu'] as const)('prefix rows on %s', (backend) => {
  beforeAll(async () => {
    if (backend === 'wasm') await initWasmBackend();
    else await tf.setBackend('cpu');
  });

  // cpu is the slow reference: one split there, every split on wasm.
  it.each(backend === 'wasm' ? [1, 2, 3] : [2])('the embedding pass through the split (%i blocks unfrozen) gives the whole base\'s features, and the kept rows give them again', async (unfrozen) => {
    const { backbone, rows, data } = setUp(unfrozen);
    const whole = await computeEmbeddings(backbone, data, { batchSize: 32 });
    // Batches of another size, so no image sits in the batch it sat in above.
    const split = await computeEmbeddings(backbone, data, { batchSize: 24, prefix: { rows, mode: 'keep' } });
    expect(rows.size).toBe(COUNT);
    expect(same(split.features, whole.features)).toBe(true);
    const again = await computeEmbeddings(backbone, data, { batchSize: 16, prefix: { rows, mode: 'use' } });
    expect(same(again.features, whole.features)).toBe(true);
    tf.dispose(backbone.model!.weights.map((w) => w.read()));
  }, 120_000);

  it('scores kept rows from the end and the others whole, in the order asked, the same bits as without', async () => {
    const { backbone, rows, data } = setUp(2);
    const keptImages = Int32Array.from({ length: 30 }, (_, k) => 2 * k + 1);
    await computeEmbeddings(backbone, data, { indices: keptImages, prefix: { rows, mode: 'keep' } });
    const order = Int32Array.from({ length: COUNT }, (_, k) => (k * 37) % COUNT);
    const plain = await computeEmbeddings(backbone, data, { indices: order, batchSize: 8 });
    const mixed = await computeEmbeddings(backbone, data, { indices: order, batchSize: 8, prefix: { rows, mode: 'use' } });
    expect(same(mixed.features, plain.features)).toBe(true);
  }, 120_000);

  it('keeps only the images the run wants, and no more bytes than its budget', async () => {
    const wanted = new Uint8Array(COUNT);
    for (let i = 0; i < COUNT; i += 3) wanted[i] = 1;
    const probe = setUp(2, wanted);
    const rowBytes = probe.rows.rowSize * 4;
    const { backbone, rows, data } = setUp(2, wanted, rowBytes * 10 + 1);
    await computeEmbeddings(backbone, data, { prefix: { rows, mode: 'keep' } });
    expect(rows.size).toBe(10);
    for (let i = 0; i < COUNT; i++) if (rows.has(i)) expect(wanted[i]).toBe(1);
    expect(() => rows.batch([1])).toThrow(/was not kept/);
  }, 120_000);

  it('fills the prefix cache from kept rows with the values it computes, and forgets them', async () => {
    const { backbone, split, rows, data } = setUp(2);
    const train = Int32Array.from({ length: 40 }, (_, k) => (k * 11) % COUNT);
    await computeEmbeddings(backbone, data, { indices: train.subarray(0, 25), prefix: { rows, mode: 'keep' } });
    const signal = new AbortController().signal;
    const fresh = await buildPrefixCache(split.prefix!, data, backbone, train, { batchSize: 8, signal });
    const reusing = await buildPrefixCache(split.prefix!, data, backbone, train, { batchSize: 8, signal, kept: rows });
    expect(reusing.reused).toBe(25);
    expect(rows.size).toBe(0);
    const idx = Int32Array.from([train[30], train[3], train[24], train[25]]);
    const [a, b] = [fresh.batch(idx), reusing.batch(idx)];
    expect(same(a.dataSync() as Float32Array, b.dataSync() as Float32Array)).toBe(true);
    tf.dispose([a, b]);
  }, 120_000);
});

describe('prefix rows are not kept', () => {
  it('where the prefix output can change or the model does not split', () => {
    const { split } = setUp(2);
    const wanted = new Uint8Array(COUNT);
    const on = { augment: false, trainFrozenBatchNorm: false, cachePrefix: true };
    expect(prefixRowsFor(split, wanted, on)).not.toBeNull();
    expect(prefixRowsFor(split, wanted, { ...on, augment: true })).toBeNull();
    expect(prefixRowsFor(split, wanted, { ...on, trainFrozenBatchNorm: true })).toBeNull();
    expect(prefixRowsFor(split, wanted, { ...on, cachePrefix: false })).toBeNull();
    expect(prefixRowsFor(split, wanted, { ...on, backend: 'webgl' })).toBeNull();
    expect(prefixRowsFor(split, wanted, { ...on, backend: 'tensorflow' })).toBeNull();
    expect(prefixRowsFor(split, wanted, { ...on, backend: 'cpu' })).not.toBeNull();
    expect(prefixRowsFor(null, wanted, on)).toBeNull();
    expect(prefixRowsFor({ ...split, suffix: null }, wanted, on)).toBeNull();
  });
});
