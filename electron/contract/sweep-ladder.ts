// A sweep's ladder of sizes, capped at what the data set has: shared by the service (which refuses
// a data set too small for a sweep) and the form (which shows the sizes that will run).

/**
 * The sizes (images per class) a sweep trains at: ascending, each below the largest class, and one
 * last step at the largest class's count ("all images") when a requested size reaches it. Sizes
 * under `minPerClass` (what a run's split needs of every class) are dropped.
 */
export function capSizes(sizes: readonly number[], counts: readonly number[], minPerClass = 2): number[] {
  const largest = Math.max(0, ...counts);
  const asked = [...new Set(sizes)].filter((s) => s >= minPerClass).sort((a, b) => a - b);
  const below = asked.filter((s) => s < largest);
  return asked.some((s) => s >= largest) && largest >= minPerClass ? [...below, largest] : below;
}

/** Why a data set cannot hold a sweep of these sizes, or null when it can (two sizes at least). */
export function ladderProblem(sizes: readonly number[], counts: readonly number[], minPerClass = 2): string | null {
  const ladder = capSizes(sizes, counts, minPerClass);
  if (ladder.length >= 2) return null;
  const largest = Math.max(0, ...counts);
  const smallest = Math.max(minPerClass, Math.min(...sizes));
  return `A sweep needs at least two sizes to compare, but the largest class of this data set has only ${largest} image${largest === 1 ? '' : 's'}, `
    + `so ${ladder.length === 0 ? 'no size' : `only one size (${ladder[0]} per class)`} fits. `
    + `It needs at least ${smallest + 1} images in a class (one more than the smallest size, ${smallest} per class); add images or choose smaller sizes.`;
}
