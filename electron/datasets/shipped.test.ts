import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DatasetInfo } from '../contract/index.js';
import { listShippedDatasets, loadShippedDataset } from './shipped.js';

const resourcesDir = fileURLToPath(new URL('../../resources', import.meta.url));

describe('shipped data sets (the real files under resources/datasets)', () => {
  it('lists the source and both targets with cards, and no class is shared with the source', async () => {
    const list = listShippedDatasets(resourcesDir);
    expect(list.map((d) => [d.id, d.role])).toEqual([
      ['fashion-source', 'source'],
      ['fashion-target', 'similar-target'],
      ['digits', 'different-target'],
    ]);
    for (const d of list) {
      expect(() => DatasetInfo.parse(d)).not.toThrow();
      expect(d.card).toMatch(/License/);
      expect(d.imageSize).toEqual([28, 28, 1]);
    }
    const source = new Set(list[0].classes);
    for (const t of list.slice(1)) for (const c of t.classes) expect(source.has(c)).toBe(false);
  });

  it('loads a seeded stratified subset at native size with stable ids and fingerprint', async () => {
    const a = await loadShippedDataset(resourcesDir, 'digits', 20, 5);
    expect(a.shape).toEqual([28, 28, 1]);
    expect(a.labels.length).toBe(200 + 2000);
    expect(a.pixels.length).toBe(2200 * 784);
    const pool = a.labels.subarray(0, 200);
    expect(Array.from({ length: 10 }, (_, c) => pool.filter((l) => l === c).length)).toEqual(Array(10).fill(20));
    expect(a.sampleIds[0]).toMatch(/^digits:\d+$/);
    // Real handwriting: dark background, some bright strokes in every image.
    for (let i = 0; i < 200; i += 37) {
      const img = a.pixels.subarray(i * 784, (i + 1) * 784);
      expect(img[0]).toBe(0);
      expect(Math.max(...img)).toBeGreaterThan(200);
    }
    const b = await loadShippedDataset(resourcesDir, 'digits', 20, 5);
    expect(b.sampleIds).toEqual(a.sampleIds);
    expect(b.fingerprint).toBe(a.fingerprint);
    expect((await loadShippedDataset(resourcesDir, 'digits', 20, 6)).fingerprint).not.toBe(a.fingerprint);
    expect((await loadShippedDataset(resourcesDir, 'digits', 21, 5)).fingerprint).not.toBe(a.fingerprint);
  });

  it('loads every image of the similar target with its fixed test pool last; the seed does not change "all"', async () => {
    const all = await loadShippedDataset(resourcesDir, 'fashion-target', null, 1);
    expect(all.labels.length).toBe(35000);
    expect(all.classes).toEqual(['Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']);
    expect(Array.from(all.fixedTest!)).toEqual(Array.from({ length: 5000 }, (_, k) => 30000 + k));
    expect((await loadShippedDataset(resourcesDir, 'fashion-target', null, 2)).fingerprint).toBe(all.fingerprint);
    all.pixels.fill(0); // callers get a copy: the cached set is unchanged
    const again = await loadShippedDataset(resourcesDir, 'fashion-target', null, 1);
    expect(again.pixels.some((v) => v > 0)).toBe(true);
  });

  it('draws a subset from the pool only and always adds the whole fixed test pool', async () => {
    const [info] = listShippedDatasets(resourcesDir).filter((d) => d.id === 'digits');
    expect(info.counts.reduce((a, b) => a + b, 0)).toBe(8000);
    expect(info.testCounts!.reduce((a, b) => a + b, 0)).toBe(2000);
    const sub = await loadShippedDataset(resourcesDir, 'digits', 20, 5);
    expect(sub.labels.length).toBe(200 + 2000);
    const test = new Set(Array.from(sub.fixedTest!, (i) => sub.sampleIds[i]));
    expect(test.size).toBe(2000);
    for (const [i, id] of sub.sampleIds.entries()) expect(Number(id.split(':')[1]) >= 8000).toBe(test.has(sub.sampleIds[i]));
    // Every subset, whatever its size or seed, carries the same test images.
    const other = await loadShippedDataset(resourcesDir, 'digits', 50, 9);
    expect(Array.from(other.fixedTest!, (i) => other.sampleIds[i])).toEqual(Array.from(sub.fixedTest!, (i) => sub.sampleIds[i]));
  });

  it('names the problem in a damaged or unknown set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-shipped-'));
    const set = join(dir, 'datasets', 'broken');
    mkdirSync(set, { recursive: true });
    const meta = { id: 'broken', name: 'B', role: 'similar-target', description: '', classes: ['a', 'b'], imageSize: [2, 2, 1], counts: [1, 1] };
    writeFileSync(join(set, 'meta.json'), JSON.stringify(meta));
    writeFileSync(join(set, 'labels.u8'), Uint8Array.from([0, 1]));
    writeFileSync(join(set, 'images.u8.gz'), gzipSync(new Uint8Array(7)));
    await expect(loadShippedDataset(dir, 'broken', null, 0)).rejects.toThrow(/holds 7 bytes, expected 2 images × 2×2×1/);
    await expect(loadShippedDataset(dir, 'nope', null, 0)).rejects.toThrow(/No shipped data set "nope"/);
    writeFileSync(join(set, 'meta.json'), JSON.stringify({ ...meta, classes: ['a'] }));
    expect(() => listShippedDatasets(dir)).toThrow(/meta.json is invalid \(classes/);
  });
});
