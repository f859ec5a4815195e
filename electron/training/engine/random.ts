// Seeded pseudo-random numbers, so the same seed gives the same batch order in every run and
// both strategies see the data in exactly the same sequence.

/** mulberry32: tiny, fast and good enough for shuffling; returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates shuffle of a copy of `items`. */
export function shuffled(items: Int32Array, random: () => number): Int32Array {
  const out = Int32Array.from(items);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}

/** The batch order of one epoch: a function of (seed, epoch) only, never of the strategy. */
export function epochOrder(indices: Int32Array, seed: number, epoch: number): Int32Array {
  return shuffled(indices, seededRandom((seed * 1_000_003 + epoch * 7919 + 1) >>> 0));
}

/** Derives an independent seed for a named purpose (head init, augmentation, ...). */
export function deriveSeed(seed: number, purpose: string): number {
  let h = seed >>> 0;
  for (let i = 0; i < purpose.length; i++) h = Math.imul(h ^ purpose.charCodeAt(i), 2654435761) >>> 0;
  return h % 2_147_483_647;
}
