// Deterministic, stratified subsets and train/validation/test splits. All shuffle each class with a
// seed derived from the user's seed, so the same seed gives the same images on every machine, and a
// smaller subset is always contained in a larger one drawn with the same seed (100 ⊂ 1,000 ⊂ all).
import type { Split, TwoWaySplit } from './types.js';
import { createRng, deriveSeed, shuffleInPlace } from './prng.js';

type Labels = ArrayLike<number>;

/** Indices of each class's images, in their original order. */
export function indicesByClass(labels: Labels): Map<number, number[]> {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (!Number.isInteger(c) || c < 0) throw new Error(`Label ${c} at index ${i} is not a class index (a non-negative integer).`);
    let list = byClass.get(c);
    if (!list) byClass.set(c, (list = []));
    list.push(i);
  }
  return new Map([...byClass.entries()].sort((a, b) => a[0] - b[0]));
}

/** Each class's indices, shuffled with a per-class seed (independent of how many are taken later).
 *  Taking the first k of each list gives `stratifiedSubset(labels, k, seed)`. */
export function shuffledClasses(labels: Labels, seed: number, salt = 'subset'): Array<[number, number[]]> {
  return [...indicesByClass(labels)].map(([c, idx]) => [c, shuffleInPlace(idx, createRng(deriveSeed(seed, `${salt}:${c}`)))]);
}

/**
 * Up to `perClass` images of every class (all of a class that has fewer), chosen by seed.
 * `null` means every image. Returned indices are ascending, so the subset keeps the data's order.
 */
export function stratifiedSubset(labels: Labels, perClass: number | null, seed: number): Int32Array {
  if (perClass === null) return Int32Array.from({ length: labels.length }, (_, i) => i);
  if (!Number.isInteger(perClass) || perClass < 1) throw new Error(`Images per class must be a positive whole number, got ${perClass}.`);
  const picked: number[] = [];
  for (const [, idx] of shuffledClasses(labels, seed, 'subset')) picked.push(...idx.slice(0, perClass));
  return Int32Array.from(picked.sort((a, b) => a - b));
}

/**
 * Splits every class separately so validation has the same class balance as the data. A class with
 * at least 2 images always has at least 1 in validation and 1 in training. Validation indices are
 * ascending; training indices come shuffled by seed so classes are interleaved even if the data is
 * sorted by class.
 */
export function stratifiedSplit(labels: Labels, valFraction: number, seed: number): TwoWaySplit {
  checkFraction(valFraction);
  const train: number[] = [];
  const val: number[] = [];
  for (const [, idx] of shuffledClasses(labels, seed, 'split')) {
    const n = idx.length;
    const nVal = n < 2 ? 0 : Math.min(n - 1, Math.max(1, Math.round(n * valFraction)));
    val.push(...idx.slice(0, nVal));
    train.push(...idx.slice(nVal));
  }
  train.sort((a, b) => a - b);
  shuffleInPlace(train, createRng(deriveSeed(seed, 'split:train-order')));
  return { train: Int32Array.from(train), val: Int32Array.from(val.sort((a, b) => a - b)) };
}

/** Share of each class held out as test images when a data set has no fixed test pool (folders). */
export const TEST_FRACTION = 0.2;
/** Images a class needs when its test images are carved from it: one each to train, validate, test. */
export const MIN_IMAGES_PER_CLASS = 3;
/** Below this many test images a run says its test accuracy is uncertain. */
export const SMALL_TEST_SET = 100;

function checkFraction(valFraction: number) {
  if (!(valFraction > 0 && valFraction < 1)) throw new Error(`Validation fraction must be between 0 and 1 (exclusive), got ${valFraction}.`);
}

/**
 * The split every run uses. With a fixed test pool (`fixedTest`, a shipped target) the test set is
 * exactly that pool and the rest is split into train and validation. Without one, every class is
 * split three ways by seed: TEST_FRACTION of it (at least 1 image) is test, then `valFraction` of
 * what is left (at least 1) is validation, the rest (at least 1) trains. The test images are
 * carved first, so runs that differ only in their validation share are scored on the same images.
 * A class with fewer than MIN_IMAGES_PER_CLASS images is refused (callers name it first).
 */
export function threeWaySplit(labels: Labels, valFraction: number, seed: number, fixedTest?: ArrayLike<number>): Split {
  checkFraction(valFraction);
  if (fixedTest && fixedTest.length > 0) {
    const held = new Uint8Array(labels.length);
    for (let i = 0; i < fixedTest.length; i++) held[fixedTest[i]] = 1;
    const pool = Int32Array.from({ length: labels.length }, (_, i) => i).filter((i) => !held[i]);
    const inner = stratifiedSplit(Array.from(pool, (i) => labels[i]), valFraction, seed);
    return {
      train: inner.train.map((k) => pool[k]),
      val: inner.val.map((k) => pool[k]),
      test: Int32Array.from(fixedTest).sort(),
    };
  }
  const train: number[] = [];
  const val: number[] = [];
  const test: number[] = [];
  for (const [c, idx] of shuffledClasses(labels, seed, 'split')) {
    const n = idx.length;
    if (n < MIN_IMAGES_PER_CLASS) throw new Error(`Class ${c} has ${n} image${n === 1 ? '' : 's'}; every class needs at least ${MIN_IMAGES_PER_CLASS} (one each to train, validate and test).`);
    const nTest = Math.min(n - 2, Math.max(1, Math.round(n * TEST_FRACTION)));
    const rest = n - nTest;
    const nVal = Math.min(rest - 1, Math.max(1, Math.round(rest * valFraction)));
    test.push(...idx.slice(0, nTest));
    val.push(...idx.slice(nTest, nTest + nVal));
    train.push(...idx.slice(nTest + nVal));
  }
  train.sort((a, b) => a - b);
  shuffleInPlace(train, createRng(deriveSeed(seed, 'split:train-order')));
  return { train: Int32Array.from(train), val: Int32Array.from(val.sort((a, b) => a - b)), test: Int32Array.from(test.sort((a, b) => a - b)) };
}

/** Copies the chosen images (and their labels and ids) out of a flat NHWC byte array. */
export function takeImages<T extends { pixels: Uint8Array; labels: Int32Array; sampleIds: string[]; shape: [number, number, number] }>(
  data: T,
  indices: Int32Array,
): Pick<T, 'pixels' | 'labels' | 'sampleIds'> {
  const size = data.shape[0] * data.shape[1] * data.shape[2];
  const pixels = new Uint8Array(indices.length * size);
  const labels = new Int32Array(indices.length);
  const sampleIds: string[] = new Array(indices.length);
  indices.forEach((src, dst) => {
    pixels.set(data.pixels.subarray(src * size, (src + 1) * size), dst * size);
    labels[dst] = data.labels[src];
    sampleIds[dst] = data.sampleIds[src];
  });
  return { pixels, labels, sampleIds };
}
