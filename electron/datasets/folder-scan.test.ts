import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scanFolder } from './folder-scan.js';
import { makeFifo, makeImageFolder, makePng, type FolderFixture } from './testing/image-folder.js';

let fx: FolderFixture;
beforeEach(async () => { fx = await makeImageFolder({ n: 2 }); });
afterEach(() => rmSync(fx.base, { recursive: true, force: true }));

describe('scanFolder reports every problem at once', () => {
  it('names the empty class and every skipped file in one answer', async () => {
    const err: Error = await scanFolder(fx.root).then(() => { throw new Error('expected a refusal'); }, (e) => e);
    expect(err.message).toContain('Class "birds" has no usable images (the folder is empty).');
    for (const part of [
      'corrupt or truncated image: cats/broken.png',
      'not an image: cats/notes.txt',
      'symlink leaves the chosen folder: dogs/escape.png, linked-class',
      'too small (4×4, minimum 8×8): dogs/tiny.png',
      'readme.png',
    ]) expect(err.message).toContain(part);
    expect(err.message).toMatch(/6 files were skipped:/);
  });

  it('also lists the other problems when there are too few classes', async () => {
    rmSync(join(fx.root, 'dogs'), { recursive: true });
    rmSync(join(fx.root, 'birds'), { recursive: true });
    await expect(scanFolder(fx.root)).rejects.toThrow(/only one class subfolder \("cats"\).*corrupt or truncated image: cats\/broken\.png/);
  });

  it('says how many more files there are instead of listing thousands', async () => {
    mkdirSync(join(fx.root, 'birds', 'notes'));
    for (let i = 0; i < 30; i++) writeFileSync(join(fx.root, 'birds', 'notes', `n${String(i).padStart(2, '0')}.txt`), 'x');
    const err: Error = await scanFolder(fx.root).then(() => { throw new Error('expected a refusal'); }, (e) => e);
    expect(err.message).toContain('Class "birds" has no usable images (all 30 of its files were skipped).');
    expect(err.message).toContain('not an image: birds/notes/n00.txt, birds/notes/n01.txt, birds/notes/n02.txt and 28 more');
    expect(err.message.length).toBeLessThan(2000);
  });
});

describe('scanFolder and FIFOs', () => {
  it('skips a FIFO named x.png (and a link to it) without blocking, and a later scan still works', async () => {
    rmSync(join(fx.root, 'birds'), { recursive: true });
    makeFifo(join(fx.root, 'cats', 'x.png'));
    symlinkSync('x.png', join(fx.root, 'cats', 'y.png'));
    const scan = await scanFolder(fx.root);
    expect(scan.skipped).toContainEqual({ file: 'cats/x.png', reason: 'not a regular file (a named pipe (FIFO))' });
    expect(scan.skipped).toContainEqual({ file: 'cats/y.png', reason: 'not a regular file (a named pipe (FIFO))' });
    expect(scan.counts).toEqual([2, 2]);
    writeFileSync(join(fx.root, 'dogs', 'new.png'), await makePng(12, 12, [9, 9, 9], 3));
    expect((await scanFolder(fx.root)).counts).toEqual([2, 3]);
  });
});
