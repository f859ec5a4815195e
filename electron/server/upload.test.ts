import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { receiveUpload, UploadError } from './upload.js';

/** The body the browser sends (renderer/lib/api.ts uploadBody), cut into small chunks as a socket would. */
function body(files: Array<[string, Buffer | string]>, chunk = 7): Readable {
  const parts: Buffer[] = [];
  for (const [path, content] of files) {
    const p = Buffer.from(path);
    const c = Buffer.from(content);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(p.length);
    const size = Buffer.alloc(4);
    size.writeUInt32BE(c.length);
    parts.push(head, p, size, c);
  }
  const all = Buffer.concat(parts);
  const pieces: Buffer[] = [];
  for (let i = 0; i < all.length; i += chunk) pieces.push(all.subarray(i, i + chunk));
  return Readable.from(pieces);
}

const limits = { files: 3, fileBytes: 50, totalBytes: 120 };

describe('receiving an uploaded folder', () => {
  it('writes the files under safe names and reports what it could not keep', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-upload-'));
    const out = await receiveUpload(body([
      ['cats/a.png', 'AAAA'],
      ['cats/sub/b.png', 'BBBB'],
      ['dogs/<c>.png', 'CCCC'],
      ['loose.png', 'D'],
      ['../escape/x.png', 'E'],
      ['dogs/huge.png', 'x'.repeat(51)],
    ]), dir, 'My pets!', limits);
    expect(out).toMatchObject({ name: 'My pets_', files: 3, path: join(dir, 'My pets_') });
    expect(readFileSync(join(out.path, 'cats', 'sub', 'b.png'), 'utf8')).toBe('BBBB');
    expect(readFileSync(join(out.path, 'dogs', '_c_.png'), 'utf8')).toBe('CCCC');
    expect(out.skipped).toEqual([
      { file: 'loose.png', reason: expect.stringMatching(/not inside a class folder/) },
      { file: '../escape/x.png', reason: expect.stringMatching(/leaves the folder/) },
      { file: 'dogs/huge.png', reason: expect.stringMatching(/larger than/) },
    ]);
    expect(existsSync(join(dir, 'escape'))).toBe(false);
    expect(readdirSync(dir)).toEqual(['My pets_']);
  });

  it('keeps two names that became one safe name, and skips files over the count limit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-upload-'));
    const out = await receiveUpload(body([['c/a?.png', '1'], ['c/a*.png', '2'], ['d/b.png', '3'], ['d/c.png', '4']]), dir, 'x', limits);
    expect(readdirSync(join(out.path, 'c')).sort()).toEqual(['a_-2.png', 'a_.png']);
    expect(out.skipped).toEqual([{ file: 'd/c.png', reason: 'over the limit of 3 files per upload' }]);
  });

  it('replaces an earlier upload of the same name only once the new one is complete', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-upload-'));
    await receiveUpload(body([['c/old.png', 'o']]), dir, 'pets', limits);
    // Cut off in the middle of a file: refused, and the earlier upload is still there, untouched.
    const cut = body([['c/new.png', 'nnnn']]).toArray().then((chunks) => Readable.from([Buffer.concat(chunks).subarray(0, 15)]));
    await expect(receiveUpload(await cut, dir, 'pets', limits)).rejects.toThrow(/ended in the middle of a file/);
    expect(readdirSync(join(dir, 'pets', 'c'))).toEqual(['old.png']);
    expect(readdirSync(dir)).toEqual(['pets']);
    await receiveUpload(body([['c/new.png', 'n']]), dir, 'pets', limits);
    expect(readdirSync(join(dir, 'pets', 'c'))).toEqual(['new.png']);
  });

  it('refuses a body larger than the total limit, or malformed, and leaves nothing behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-upload-'));
    const big = receiveUpload(body([['c/a.png', 'x'.repeat(50)], ['c/b.png', 'x'.repeat(50)], ['c/c.png', 'x'.repeat(50)], ['c/d.png', 'x'.repeat(4000)]]), dir, 'big', limits);
    await expect(big).rejects.toThrow(UploadError);
    const many = receiveUpload(body([['c/a.png', 'x'.repeat(50)], ['c/b.png', 'x'.repeat(50)], ['c/c.png', 'x'.repeat(50)]]), dir, 'many', limits);
    await expect(many).rejects.toThrow(/larger than 0 MB/);
    await expect(receiveUpload(Readable.from([Buffer.from([0, 0, 0, 0])]), dir, 'bad', limits)).rejects.toThrow(/malformed/);
    await expect(receiveUpload(body([['loose.png', 'x']]), dir, 'none', limits)).rejects.toThrow(/Nothing in the upload could be kept/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
