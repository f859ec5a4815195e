// Batch order for training: a function of (seed, epoch) only, never of the strategy, so both
// strategies see the data in exactly the same sequence. Built on the data module's seeded PRNG.
import { createRng, deriveSeed, shuffleInPlace } from '../../datasets/prng.js';

export { deriveSeed };

/** The batch order of one epoch. */
export function epochOrder(indices: Int32Array, seed: number, epoch: number): Int32Array {
  return shuffleInPlace(Int32Array.from(indices), createRng(deriveSeed(seed, `epoch-${epoch}`)));
}
