// The embedding cache files: what is written reads back, files written before the header named the
// float count (count × dim) still read, and a key can never name a file outside the cache folder.
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheDir, embeddingFileStore, isValidCacheKey } from './embedding-files.js';

const fresh = () => mkdtempSync(path.join(tmpdir(), 'tl-emb-files-'));

describe('embedding cache files', () => {
  it('read back what was written, and nothing for an unknown key', async () => {
    const dataDir = fresh();
    const store = embeddingFileStore(dataDir);
    const rows = Float32Array.from({ length: 12 }, (_, i) => i / 7);
    await store.put('tl-resnet-s-0123456789abcdef01234567', rows);
    expect(Array.from((await store.get('tl-resnet-s-0123456789abcdef01234567'))!)).toEqual(Array.from(rows));
    expect(await store.get('tl-resnet-s-ffffffffffffffffffffffff')).toBeNull();
    // Written through a temporary file that is renamed: only the cache file is left.
    expect(readdirSync(cacheDir(dataDir))).toEqual(['tl-resnet-s-0123456789abcdef01234567.bin']);
  });

  it('read files in the earlier layout (header with count and dim)', async () => {
    const dataDir = fresh();
    mkdirSync(cacheDir(dataDir), { recursive: true });
    const header = Buffer.from(JSON.stringify({ count: 2, dim: 3, preprocessing: 'p1-bilinear-gray-avg' }));
    const prefix = Buffer.alloc(12);
    prefix.write('TLEMB001', 0, 'latin1');
    prefix.writeUInt32LE(header.length, 8);
    const floats = Float32Array.from([1, 2, 3, 4, 5, 6]);
    writeFileSync(path.join(cacheDir(dataDir), 'old-key.bin'), Buffer.concat([prefix, header, Buffer.from(floats.buffer)]));
    expect(Array.from((await embeddingFileStore(dataDir).get('old-key'))!)).toEqual([1, 2, 3, 4, 5, 6]);
    // A truncated or foreign file is a miss, not an error.
    writeFileSync(path.join(cacheDir(dataDir), 'short.bin'), Buffer.concat([prefix, header, Buffer.from(floats.buffer).subarray(0, 20)]));
    writeFileSync(path.join(cacheDir(dataDir), 'foreign.bin'), 'hello');
    expect(await embeddingFileStore(dataDir).get('short')).toBeNull();
    expect(await embeddingFileStore(dataDir).get('foreign')).toBeNull();
  });

  it('refuse keys that could leave the cache folder', async () => {
    const store = embeddingFileStore(fresh());
    for (const key of ['../x', 'a/b', '.hidden', 'a..b', '', 'x'.repeat(201)]) {
      expect(isValidCacheKey(key)).toBe(false);
      await expect(store.get(key)).rejects.toThrow(/not a valid embedding cache key/);
      await expect(store.put(key, new Float32Array(1))).rejects.toThrow(/not a valid embedding cache key/);
    }
  });
});
