import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listFolder, resolveRoot } from './folder-walk.js';
import { scanFolder } from './folder-scan.js';

let base: string;
beforeEach(() => { base = mkdtempSync(join(tmpdir(), 'tl-walk-')); });
afterEach(() => rmSync(base, { recursive: true, force: true }));

/** <base>/root/{c1,c2,c2/sub} with a few (empty) files: listing only reads names. */
function classes(): string {
  const root = join(base, 'root');
  mkdirSync(join(root, 'c1'), { recursive: true });
  mkdirSync(join(root, 'c2', 'sub'), { recursive: true });
  writeFileSync(join(root, 'c1', 'a.png'), '');
  writeFileSync(join(root, 'c2', 'b.png'), '');
  writeFileSync(join(root, 'c2', 'sub', 'c.png'), '');
  return root;
}
const labelled = (l: Awaited<ReturnType<typeof listFolder>>) => l.files.map((f) => [f.rel, l.classes[f.label]]);

describe('pseudo file systems', () => {
  const linux = process.platform === 'linux';
  it.skipIf(!linux || !existsSync('/proc/self'))('refuses /proc, /sys, /dev and what lies below them, also through a symlink', async () => {
    await expect(resolveRoot('/proc')).rejects.toThrow('/proc is a system folder (the running system\'s processes and settings), not a folder of images. Choose a folder that holds one subfolder per class.');
    await expect(resolveRoot('/proc/self')).rejects.toThrow(/is a system folder/);
    await expect(resolveRoot('/dev')).rejects.toThrow(/^\/dev is a system folder \(devices\)/);
    if (existsSync('/sys')) await expect(resolveRoot('/sys')).rejects.toThrow(/is a system folder/);
    const link = join(base, 'looks-harmless');
    symlinkSync('/proc/self', link);
    await expect(resolveRoot(link)).rejects.toThrow(`${link} is a system folder`);
    // The whole scan is refused before any file is listed or read.
    await expect(scanFolder('/proc')).rejects.toThrow(/is a system folder/);
  });

  it('accepts an ordinary folder', async () => {
    expect(await resolveRoot(base)).toBeTruthy();
  });
});

describe('cancelling a listing', () => {
  it('stops inside the walk, between entries', async () => {
    const root = classes();
    for (let i = 0; i < 50; i++) writeFileSync(join(root, 'c1', `x${i}.png`), '');
    const ac = new AbortController();
    let found = 0;
    const run = listFolder(root, { signal: ac.signal, onFound: () => { if (++found === 3) ac.abort(); } });
    await expect(run).rejects.toMatchObject({ name: 'AbortError', message: 'Folder scan cancelled.' });
    expect(found).toBe(3); // nothing listed after the cancel
  });
});

describe('symlinks between classes', () => {
  it('skips a link into another class instead of labelling its images as this class', async () => {
    const root = classes();
    symlinkSync('../c2/sub', join(root, 'c1', 'link'));
    symlinkSync('../c2/b.png', join(root, 'c1', 'b-alias.png'));
    const l = await listFolder(root);
    expect(labelled(l)).toEqual([['c1/a.png', 'c1'], ['c2/b.png', 'c2'], ['c2/sub/c.png', 'c2']]);
    expect(l.skipped).toEqual([
      { file: 'c1/b-alias.png', reason: 'symlink points into class "c2"' },
      { file: 'c1/link', reason: 'symlink points into class "c2"' },
    ]);
  });

  it('skips a link to the chosen folder itself, so the next class keeps its images', async () => {
    const root = classes();
    symlinkSync('..', join(root, 'c1', 'up'));
    const l = await listFolder(root);
    expect(labelled(l)).toEqual([['c1/a.png', 'c1'], ['c2/b.png', 'c2'], ['c2/sub/c.png', 'c2']]);
    expect(l.skipped).toEqual([{ file: 'c1/up', reason: 'symlink points to the chosen folder itself' }]);
  });

  it('follows links within one class (each class keeps its own record of folders walked)', async () => {
    const root = classes();
    symlinkSync('sub', join(root, 'c2', 'again')); // walked once, not twice
    symlinkSync('c1', join(root, 'c3')); // a second class that is the first one
    const l = await listFolder(root);
    expect(l.classes).toEqual(['c1', 'c2']);
    expect(labelled(l)).toEqual([['c1/a.png', 'c1'], ['c2/again/c.png', 'c2'], ['c2/b.png', 'c2']]);
    expect(l.skipped).toEqual([{ file: 'c3', reason: 'symlink points into class "c1"' }]);
  });
});
