import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildDatasets, DIGITS_TEST_POOL, makeSets, proportionalCounts } from './make-datasets.js';

const shippedDir = fileURLToPath(new URL('../resources/datasets', import.meta.url));
const fashionDir = process.env.FASHION_MNIST_DIR || '/usr/share/datasets/fashion-mnist';
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('build/make-datasets.ts', () => {
  it('fails with the package to install when Fashion-MNIST is missing', () => {
    const out = mkdtempSync(join(tmpdir(), 'tl-ds-'));
    expect(() => buildDatasets(out, '/nonexistent')).toThrow(/Install Debian's package "dataset-fashion-mnist"/);
    rmSync(out, { recursive: true });
  });

  // The committed images and labels must be exactly what the seeded script selects. (The .gz bytes
  // themselves may differ with another zlib, so the uncompressed content is compared.)
  const noSource = !existsSync(join(fashionDir, 'train-images-idx3-ubyte.gz'));
  if (noSource) console.log(`[skipped] datasets.test: "reproduces the committed data sets" — ${fashionDir} is missing (apt-get install dataset-fashion-mnist)`);
  it.skipIf(noSource)('reproduces the committed data sets from the dataset-fashion-mnist package', () => {
    const sets = makeSets(fashionDir);
    expect(sets.map((b) => [b.meta.id, b.labels.length])).toEqual([['fashion-source', 15000], ['fashion-target', 35000], ['digits', 10000]]);
    // Both targets ship a fixed test pool beside more than enough images to train on.
    expect(sets[1].meta.counts).toEqual(Array(5).fill(6000));
    expect(sets[1].meta.testCounts).toEqual(Array(5).fill(1000));
    expect(sets[2].meta.testCounts!.reduce((a, b) => a + b, 0)).toBe(DIGITS_TEST_POOL);
    expect(sets[2].meta.counts.reduce((a, b) => a + b, 0)).toBe(8000);
    expect(sets[0].meta.testCounts).toBeUndefined();
    for (const b of sets) {
      const dir = join(shippedDir, b.meta.id);
      expect(sha(gunzipSync(readFileSync(join(dir, 'images.u8.gz')))), `${b.meta.id} images`).toBe(sha(b.images));
      expect(sha(readFileSync(join(dir, 'labels.u8'))), `${b.meta.id} labels`).toBe(sha(b.labels));
      expect(JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'))).toEqual(b.meta);
      expect(readFileSync(join(dir, 'CARD.md'), 'utf8')).toContain(sha(b.images));
    }
  }, 60_000);

  it('draws the test pool in proportion to class sizes, to the exact total', () => {
    expect(proportionalCounts([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978], 2000)).toEqual([200, 225, 198, 206, 196, 173, 203, 214, 189, 196]);
    expect(proportionalCounts([1, 1, 1], 2)).toEqual([1, 1, 0]);
  });
});
