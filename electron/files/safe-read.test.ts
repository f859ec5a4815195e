import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCapped, readRegularFile } from './safe-read.js';
import { makeFifo } from '../datasets/testing/image-folder.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'tl-safe-read-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Byte i is i mod 251, so any slice shows where in the file it came from. */
const pattern = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => i % 251));

describe('readRegularFile', () => {
  it('reads a file at the cap and refuses one a byte over', async () => {
    const f = join(dir, 'ten.bin');
    writeFileSync(f, pattern(10));
    expect((await readRegularFile(f, { maxBytes: 10 })).equals(pattern(10))).toBe(true);
    await expect(readRegularFile(f, { maxBytes: 9 })).rejects.toMatchObject({ name: 'UnsafeFileError', kind: 'too-large' });
    writeFileSync(join(dir, 'empty.bin'), '');
    expect((await readRegularFile(join(dir, 'empty.bin'), { maxBytes: 0 })).length).toBe(0);
  });

  it('never reads more than the cap + 1 byte, whatever the size stat reports', async () => {
    const f = join(dir, 'big.bin');
    writeFileSync(f, pattern(100_000));
    const fh = await open(f, 'r');
    try {
      // A size hint of 0 (what procfs reports) must not make the read unbounded.
      await expect(readCapped(fh, 1000, 0)).rejects.toMatchObject({ kind: 'too-large', message: 'too large (more than 1,000 bytes)' });
      // The handle's position shows how much was consumed: exactly 1,001 bytes.
      const next = Buffer.alloc(4);
      await fh.read(next, 0, 4, null);
      expect(next.equals(pattern(100_000).subarray(1001, 1005))).toBe(true);
    } finally {
      await fh.close();
    }
  });

  it.skipIf(!existsSync('/proc/self/status'))('caps a procfs file that reports size 0', async () => {
    await expect(readRegularFile('/proc/self/status', { maxBytes: 16 })).rejects.toMatchObject({ kind: 'too-large' });
    expect((await readRegularFile('/proc/self/status', { maxBytes: 1 << 20 })).toString()).toMatch(/^Name:/);
  });

  it('refuses a FIFO without blocking, and a later read still works', async () => {
    const fifo = join(dir, 'x.png');
    makeFifo(fifo);
    await expect(readRegularFile(fifo, { maxBytes: 100 })).rejects.toMatchObject({ kind: 'not-regular', message: 'not a regular file (a named pipe (FIFO))' });
    writeFileSync(join(dir, 'ok.bin'), 'ok');
    expect((await readRegularFile(join(dir, 'ok.bin'), { maxBytes: 100 })).toString()).toBe('ok');
  });

  it('refuses symlinks, devices and folders', async () => {
    writeFileSync(join(dir, 'target.bin'), 'x');
    symlinkSync(join(dir, 'target.bin'), join(dir, 'link.bin'));
    await expect(readRegularFile(join(dir, 'link.bin'), { maxBytes: 100 })).rejects.toMatchObject({ kind: 'symlink' });
    if (existsSync('/dev/zero')) await expect(readRegularFile('/dev/zero', { maxBytes: 100 })).rejects.toMatchObject({ message: 'not a regular file (a device)' });
    await expect(readRegularFile(dir, { maxBytes: 100 })).rejects.toMatchObject({ message: 'not a regular file (a folder)' });
    await expect(readRegularFile(join(dir, 'missing'), { maxBytes: 100 })).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('stops when cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(readRegularFile(join(dir, 'ten.bin'), { maxBytes: 100, signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});
