// A tiny seeded PRNG (mulberry32) so subsets, splits and augmentation are reproducible across
// machines and runs: Math.random cannot be seeded, and tfjs's own RNG is tied to the backend.

export type Rng = () => number;

/** Returns a function giving floats in [0, 1) from a 32-bit seed; same seed → same sequence. */
export function createRng(seed: number): Rng {
  let a = (seed >>> 0) ^ 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer in [0, n). */
export function randInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** Fisher–Yates shuffle in place; returns the same array for chaining. */
export function shuffleInPlace<T extends { length: number; [i: number]: unknown }>(arr: T, rng: Rng): T {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = randInt(rng, i + 1);
    const tmp = arr[i];
    arr[i] = arr[j];
    arr[j] = tmp;
  }
  return arr;
}

/** Derives an independent seed for a sub-task (e.g. "subset" vs "split") from one user seed. */
export function deriveSeed(seed: number, salt: string): number {
  let h = (seed >>> 0) ^ 0x811c9dc5;
  for (let i = 0; i < salt.length; i++) h = Math.imul(h ^ salt.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
