import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { debouncedSave, flushWhenPageIsLeft } from './debounced-save.js';

// Fake timers: the delay passes only when the test says so.
beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('debouncedSave', () => {
  it('writes only the last value, once, after the delay', () => {
    const saved: number[] = [];
    const save = debouncedSave((v: number) => saved.push(v), 250);
    save.schedule(1);
    save.schedule(2);
    vi.advanceTimersByTime(249);
    expect(saved).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(saved).toEqual([2]);
  });

  it('writes the pending value on flush, and nothing more later', () => {
    const saved: number[] = [];
    const save = debouncedSave((v: number) => saved.push(v), 250);
    save.flush();
    save.schedule(3);
    save.flush();
    save.flush();
    vi.runAllTimers();
    expect(saved).toEqual([3]);
  });
});

describe('flushWhenPageIsLeft', () => {
  it('flushes on pagehide and when the page is hidden, until stopped', () => {
    let flushes = 0;
    const stop = flushWhenPageIsLeft(() => flushes++);
    window.dispatchEvent(new Event('pagehide'));
    document.dispatchEvent(new Event('visibilitychange'));
    expect(flushes).toBe(1);
    const visibility = vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    document.dispatchEvent(new Event('visibilitychange'));
    expect(flushes).toBe(2);
    stop();
    window.dispatchEvent(new Event('pagehide'));
    document.dispatchEvent(new Event('visibilitychange'));
    visibility.mockRestore();
    expect(flushes).toBe(2);
  });
});
