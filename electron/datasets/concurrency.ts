// Runs async work over a list with a small number in flight: sharp decodes on libuv's thread pool,
// so a few files at once keep the cores busy without holding hundreds of images in memory.
import { abortError } from './folder-walk.js';

export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
  signal?: AbortSignal,
  what?: string,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      if (signal?.aborted) throw abortError(what);
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (signal?.aborted) throw abortError(what);
}

/** Calls `report(done, total)` at most every `ms`, but always for the first and the last item. */
export function throttledProgress(total: number, report: ((done: number, total: number) => void) | undefined, ms = 100) {
  let done = 0;
  let last = 0;
  if (report) report(0, total);
  return () => {
    done++;
    const now = Date.now();
    if (report && (done === total || now - last >= ms)) {
      last = now;
      report(done, total);
    }
  };
}
