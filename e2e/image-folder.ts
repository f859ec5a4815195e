// A user's image folder made on the spot: two classes of generated PNGs that a network can tell
// apart (horizontal vs vertical stripes, with noise), plus a corrupt PNG and a text file.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

function stripes(size: number, horizontal: boolean, seed: number): Buffer {
  const px = Buffer.alloc(size * size * 3);
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const period = 4 + Math.floor(rnd() * 4);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const on = Math.floor((horizontal ? y : x) / period) % 2 === 0;
      const v = Math.max(0, Math.min(255, (on ? 200 : 40) + (rnd() - 0.5) * 60));
      px.set([v, v * 0.8, 255 - v], (y * size + x) * 3);
    }
  return px;
}

export async function makeImageFolder(perClass = 16): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'tl-images-'));
  for (const [name, horizontal] of [['horizontal-stripes', true], ['vertical-stripes', false]] as const) {
    mkdirSync(join(root, name));
    for (let i = 0; i < perClass; i++) {
      const raw = stripes(40, horizontal, i * 7 + (horizontal ? 1 : 2));
      await sharp(raw, { raw: { width: 40, height: 40, channels: 3 } }).png().toFile(join(root, name, `img-${i}.png`));
    }
  }
  writeFileSync(join(root, 'horizontal-stripes', 'broken.png'), Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]));
  writeFileSync(join(root, 'vertical-stripes', 'notes.txt'), 'these are my notes, not an image');
  return root;
}
