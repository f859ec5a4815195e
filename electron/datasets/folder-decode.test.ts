import { chmodSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFolder } from './folder-decode.js';
import { scanFolder } from './folder-scan.js';
import { ioReason } from './folder-walk.js';
import { makeImageFolder, makePng, type FolderFixture } from './testing/image-folder.js';

let fx: FolderFixture;
beforeAll(async () => { fx = await makeImageFolder({ n: 8 }); });
afterAll(() => rmSync(fx.base, { recursive: true, force: true }));

describe('scanFolder', () => {
  it('refuses an empty class, naming it', async () => {
    await expect(scanFolder(fx.root)).rejects.toThrow(/Class "birds" has no usable images \(the folder is empty\)/);
  });

  it('reports every skipped file with its reason, counts classes and makes thumbnails', async () => {
    rmSync(join(fx.root, 'birds'), { recursive: true });
    const progress: Array<[number, number]> = [];
    const scan = await scanFolder(fx.root, { onProgress: (d, t) => progress.push([d, t]) });
    expect(scan.classes).toEqual(['cats', 'dogs']); // the symlinked class outside the folder is not a class
    expect(scan.counts).toEqual([8, 8]);
    expect(scan.imageSize).toEqual([16, 20, 3]);
    expect(Object.fromEntries(scan.skipped.map((s) => [s.file, s.reason]))).toEqual({
      'cats/broken.png': 'corrupt or truncated image',
      'cats/notes.txt': 'not an image',
      'dogs/escape.png': 'symlink leaves the chosen folder',
      'dogs/tiny.png': 'too small (4×4, minimum 8×8)',
      'linked-class': 'symlink leaves the chosen folder',
      'readme.png': 'file directly in the chosen folder (put images in one subfolder per class)',
    });
    expect(scan.thumbnails.cats).toHaveLength(6);
    expect(scan.thumbnails.dogs[0]).toMatch(/^data:image\/png;base64,/);
    expect(progress.at(-1)).toEqual([19, 19]); // 8 + 8 images + 3 bad files (links are judged before decoding)
    expect(scan.files[0]).toContain('cats/cat0.png');
  });

  it('refuses fewer than two classes and a missing folder', async () => {
    await expect(scanFolder(join(fx.root, 'cats'))).rejects.toThrow(/no class subfolders\. A classifier needs at least 2 classes/);
    await expect(scanFolder(join(fx.base, 'nowhere'))).rejects.toThrow(/Folder not found/);
    await expect(scanFolder(join(fx.root, 'readme.png'))).rejects.toThrow(/is a file, not a folder/);
  });

  it('is cancelled by its AbortSignal', async () => {
    const ac = new AbortController();
    const run = scanFolder(fx.root, { signal: ac.signal, onProgress: (done) => { if (done >= 1) ac.abort(); } });
    await expect(run).rejects.toMatchObject({ name: 'AbortError', message: 'Folder scan cancelled.' });
  });

  it('follows a symlink that stays inside its class, skips one into another class, and refuses SVG (it can reference other files)', async () => {
    const link = join(fx.root, 'cats', 'alias.png');
    const cross = join(fx.root, 'cats', 'dog-in-disguise.png');
    const svg = join(fx.root, 'dogs', 'drawing.svg');
    symlinkSync(join(fx.root, 'cats', 'cat0.png'), link);
    symlinkSync(join(fx.root, 'dogs', 'dog0.png'), cross);
    writeFileSync(svg, '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><image href="file:///etc/hostname"/></svg>');
    try {
      const scan = await scanFolder(fx.root);
      expect(scan.counts).toEqual([9, 8]);
      expect(scan.files[0]).toContain('cats/alias.png');
      expect(scan.skipped).toContainEqual({ file: 'cats/dog-in-disguise.png', reason: 'symlink points into class "dogs"' });
      expect(scan.skipped).toContainEqual({ file: 'dogs/drawing.svg', reason: 'not an image' });
    } finally {
      rmSync(link);
      rmSync(cross);
      rmSync(svg);
    }
  });

  it('words file-system errors for people', () => {
    expect(ioReason(Object.assign(new Error('x'), { code: 'EACCES' }))).toBe('unreadable (permission)');
    expect(ioReason(Object.assign(new Error('x'), { code: 'EIO' }))).toBe('unreadable (EIO)');
  });

  // Root reads everything, so the real permission case only runs as an ordinary user.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) console.log('[skipped] folder.test: "reports a file it may not read" — running as root, which can read every file');
  it.skipIf(asRoot)('reports a file it may not read (skipped as root: root reads every file)', async () => {
    const f = join(fx.root, 'dogs', 'locked.png');
    writeFileSync(f, await makePng(10, 10, [1, 2, 3], 1));
    chmodSync(f, 0o000);
    try {
      const scan = await scanFolder(fx.root);
      expect(scan.skipped).toContainEqual({ file: 'dogs/locked.png', reason: 'unreadable (permission)' });
    } finally {
      rmSync(f);
    }
  });
});

describe('decodeFolder', () => {
  it('decodes usable images straight to the target shape, RGB or gray, with relative ids', async () => {
    const rgb = await decodeFolder(fx.root, [12, 10, 3], { datasetId: 'pets' });
    expect(rgb.shape).toEqual([12, 10, 3]);
    expect(rgb.labels.length).toBe(16);
    expect(rgb.pixels.length).toBe(16 * 12 * 10 * 3);
    expect(rgb.sampleIds.slice(0, 2)).toEqual(['cats/cat0.png', 'cats/cat1.png']);
    expect(rgb.skipped.map((s) => s.file)).toContain('cats/broken.png');
    // Cats are orange (220,120,40), dogs blue (40,90,220): the decoded colour survives.
    const first = rgb.pixels.subarray(0, 3);
    expect(first[0]).toBeGreaterThan(first[2]);
    const lastDog = rgb.pixels.subarray(rgb.pixels.length - 3);
    expect(lastDog[2]).toBeGreaterThan(lastDog[0]);

    const gray = await decodeFolder(fx.root, [8, 8, 1]);
    expect(gray.pixels.length).toBe(16 * 64);
    expect(gray.fingerprint).not.toBe(rgb.fingerprint);
  });

  it('draws a seeded per-class subset before decoding, with a stable fingerprint', async () => {
    const a = await decodeFolder(fx.root, [8, 8, 3], { perClass: 3, seed: 9 });
    const b = await decodeFolder(fx.root, [8, 8, 3], { perClass: 3, seed: 9 });
    expect(Array.from(a.labels)).toEqual([0, 0, 0, 1, 1, 1]);
    // Asking for all 8 usable images per class gets exactly those, however the bad files are drawn.
    const all = await decodeFolder(fx.root, [8, 8, 3], { perClass: 8, seed: 1 });
    expect(all.sampleIds.filter((id) => /broken|notes|tiny/.test(id))).toEqual([]);
    expect(all.labels.length).toBe(16);
    expect(a.sampleIds).toEqual(b.sampleIds);
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(Buffer.from(a.pixels).equals(Buffer.from(b.pixels))).toBe(true);
    await expect(decodeFolder(fx.root, [8, 8, 4])).rejects.toThrow(/expected \[height, width, 1 or 3\]/);
  });

  it('holds out a fixed test pool chosen by path, the same for every seed and size, never in the subset', async () => {
    const dirs = [3, 5, 8].flatMap((perClass) => [1, 2, 3].map((seed) => ({ perClass, seed })));
    const decoded = await Promise.all(dirs.map((d) => decodeFolder(fx.root, [8, 8, 3], { ...d, testPerClass: 2 })));
    const testIds = (d: (typeof decoded)[number]) => Array.from(d.fixedTest ?? [], (i) => d.sampleIds[i]);
    const pool = testIds(decoded[0]);
    expect(pool).toHaveLength(4);
    expect(pool.filter((id) => id.startsWith('cats/'))).toHaveLength(2);
    for (const [k, d] of decoded.entries()) {
      expect(testIds(d), `perClass ${dirs[k].perClass} seed ${dirs[k].seed}`).toEqual(pool);
      expect(d.testFingerprint).toBe(decoded[0].testFingerprint);
      // The subset is drawn from the other images: perClass of them (all 6 left when 8 are asked for).
      const drawn = d.sampleIds.filter((id) => !pool.includes(id));
      expect(drawn).toHaveLength(2 * Math.min(dirs[k].perClass, 6));
    }
    // The pool comes from the paths, not the seed; a subset still grows with its size under one seed.
    const three = decoded[0].sampleIds.filter((id) => !pool.includes(id));
    const five = decoded[3].sampleIds.filter((id) => !pool.includes(id));
    expect(three.every((id) => five.includes(id))).toBe(true);
    expect(new Set(decoded.map((d) => d.setFingerprint)).size).toBe(1);
    expect(decoded[0].sampleDigests).toHaveLength(decoded[0].sampleIds.length);
    // Without a pool there is no fixed test set: runs carve theirs by seed.
    expect((await decodeFolder(fx.root, [8, 8, 3], { perClass: 3, seed: 1 })).fixedTest).toBeUndefined();
  });
});
