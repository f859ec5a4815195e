// Builds small real image folders on disk for tests: PNGs made with sharp, plus the usual problems.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createRng } from '../prng.js';

/** A w×h RGB PNG whose colour depends on `tint` (so classes differ) plus seeded noise. */
export async function makePng(w: number, h: number, tint: [number, number, number], seed: number): Promise<Buffer> {
  const rng = createRng(seed);
  const raw = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) for (let c = 0; c < 3; c++) raw[i * 3 + c] = Math.max(0, Math.min(255, tint[c] + Math.round((rng() - 0.5) * 60)));
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
}

/** A real named pipe (no writer ever opens it: reading it the ordinary way blocks for good). */
export function makeFifo(path: string): void {
  execFileSync('mkfifo', [path]);
}

/** A w×h PNG of one colour at the given alpha (0–255), with its RGB kept in the file as is. */
export async function makeRgbaPng(w: number, h: number, [r, g, b, a]: [number, number, number, number]): Promise<Buffer> {
  const raw = Buffer.alloc(w * h * 4);
  for (let i = 0; i < w * h; i++) raw.set([r, g, b, a], i * 4);
  return sharp(raw, { raw: { width: w, height: h, channels: 4 } }).png().toBuffer();
}

export interface FolderFixture { base: string; root: string; outside: string }

/**
 * <base>/pets/{cats,dogs}/*.png (n each, 20×16), plus: a truncated PNG and a text file in cats, a
 * 4×4 PNG in dogs, an empty class "birds" (unless `withEmptyClass` is false), a file directly in the
 * root, and symlinks to an image and a folder outside the chosen folder.
 */
export async function makeImageFolder({ n = 5, withEmptyClass = true } = {}): Promise<FolderFixture> {
  const base = mkdtempSync(join(tmpdir(), 'tl-data-'));
  const root = join(base, 'pets');
  const outside = join(base, 'outside');
  for (const d of ['cats', 'dogs', 'outside-class'].map((x) => (x === 'outside-class' ? join(outside, x) : join(root, x)))) mkdirSync(d, { recursive: true });
  for (let i = 0; i < n; i++) {
    writeFileSync(join(root, 'cats', `cat${i}.png`), await makePng(20, 16, [220, 120, 40], i));
    writeFileSync(join(root, 'dogs', `dog${i}.png`), await makePng(20, 16, [40, 90, 220], 100 + i));
  }
  const good = await makePng(20, 16, [0, 200, 0], 999);
  writeFileSync(join(root, 'cats', 'broken.png'), good.subarray(0, good.length - 20));
  writeFileSync(join(root, 'cats', 'notes.txt'), 'not an image\n');
  writeFileSync(join(root, 'dogs', 'tiny.png'), await makePng(4, 4, [10, 10, 10], 5));
  writeFileSync(join(root, 'readme.png'), good);
  writeFileSync(join(outside, 'secret.png'), good);
  writeFileSync(join(outside, 'outside-class', 'x.png'), good);
  symlinkSync(join(outside, 'secret.png'), join(root, 'dogs', 'escape.png'));
  symlinkSync(join(outside, 'outside-class'), join(root, 'linked-class'));
  if (withEmptyClass) mkdirSync(join(root, 'birds'));
  return { base, root, outside };
}
