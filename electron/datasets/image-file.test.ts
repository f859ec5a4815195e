import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTo, readImageBytes, SkipError, thumbnailDataUrl } from './image-file.js';
import { makeFifo, makePng, makeRgbaPng } from './testing/image-folder.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'tl-image-file-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pixelsOf = (b: Uint8Array, c: number) => Array.from({ length: b.length / c }, (_, i) => Array.from(b.subarray(i * c, i * c + c)));

describe('transparent images', () => {
  // Red at alpha 128 over white: R = 255, G = B = 255 × (1 − 128/255) ≈ 127.
  it('flattens a half-transparent PNG onto white before resizing: one flat colour, no stripes', async () => {
    const png = await makeRgbaPng(20, 16, [255, 0, 0, 128]);
    const rgb = pixelsOf(await decodeTo(png, [8, 8, 3]), 3);
    for (const [r, g, b] of rgb) {
      expect(r).toBe(255);
      expect(Math.abs(g - 127)).toBeLessThanOrEqual(1);
      expect(b).toBe(g);
    }
    const gray = pixelsOf(await decodeTo(png, [8, 8, 1]), 1).map(([v]) => v);
    expect(new Set(gray).size).toBe(1); // a single flat gray, not interleaved alpha
  });

  it('turns fully transparent pixels white, whatever colour they hide', async () => {
    const png = await makeRgbaPng(12, 12, [0, 0, 0, 0]);
    expect(new Set(await decodeTo(png, [8, 8, 3]))).toEqual(new Set([255]));
  });

  it('shows the same flattened colour in the preview', async () => {
    const png = await makeRgbaPng(20, 16, [255, 0, 0, 128]);
    const url = await thumbnailDataUrl(png, 8);
    const { data, info } = await sharp(Buffer.from(url.split(',')[1], 'base64')).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(3);
    expect(Math.abs(data[1] - 127)).toBeLessThanOrEqual(1);
  });
});

describe('readImageBytes', () => {
  it('skips a FIFO named like an image without blocking, and keeps reading other files', async () => {
    makeFifo(join(dir, 'x.png'));
    await expect(readImageBytes(join(dir, 'x.png'))).rejects.toThrow(new SkipError('not a regular file (a named pipe (FIFO))'));
    writeFileSync(join(dir, 'ok.png'), await makePng(10, 10, [1, 2, 3], 1));
    expect((await readImageBytes(join(dir, 'ok.png'))).length).toBeGreaterThan(0);
  });
});
