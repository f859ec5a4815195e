// A save that waits until changes settle, so turning pages quickly writes once, but is never lost:
// flush() writes the pending value at once, for when the view goes away or the page is being left.

export interface DebouncedSave<T> {
  /** Remember `value`; it is written `delayMs` after the last call, or sooner by flush(). */
  schedule(value: T): void;
  /** Write the pending value now, if there is one. */
  flush(): void;
}

export function debouncedSave<T>(save: (value: T) => void, delayMs: number): DebouncedSave<T> {
  let pending: { value: T } | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (!pending) return;
    const { value } = pending;
    pending = null;
    save(value);
  };
  return {
    schedule(value) {
      pending = { value };
      clearTimeout(timer);
      timer = setTimeout(flush, delayMs);
    },
    flush,
  };
}

/**
 * Calls `flush` when the page is left (reload, navigation, closing the tab or the app window, which
 * all fire `pagehide`) or hidden (a phone or tablet may discard a hidden page without `pagehide`).
 * Returns the function that stops listening.
 */
export function flushWhenPageIsLeft(flush: () => void): () => void {
  const onVisibility = () => {
    if (document.visibilityState === 'hidden') flush();
  };
  window.addEventListener('pagehide', flush);
  document.addEventListener('visibilitychange', onVisibility);
  return () => {
    window.removeEventListener('pagehide', flush);
    document.removeEventListener('visibilitychange', onVisibility);
  };
}
