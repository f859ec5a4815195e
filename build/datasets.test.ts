import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildDatasets, makeSets } from './make-datasets.js';

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
    expect(sets.map((b) => [b.meta.id, b.labels.length])).toEqual([['fashion-source', 15000], ['fashion-target', 5000], ['digits', 5000]]);
    for (const b of sets) {
      const dir = join(shippedDir, b.meta.id);
      expect(sha(gunzipSync(readFileSync(join(dir, 'images.u8.gz')))), `${b.meta.id} images`).toBe(sha(b.images));
      expect(sha(readFileSync(join(dir, 'labels.u8'))), `${b.meta.id} labels`).toBe(sha(b.labels));
      expect(JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'))).toEqual(b.meta);
      expect(readFileSync(join(dir, 'CARD.md'), 'utf8')).toContain(sha(b.images));
    }
  }, 60_000);
});
