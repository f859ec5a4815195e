import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Lesson } from '../../../electron/contract/index.js';
import LessonPlayer from './LessonPlayer.svelte';

const lesson: Lesson = {
  id: 'demo', title: 'Demo', order: 1, summary: '', pageCount: 4, source: 'shipped',
  pages: [
    { title: 'One', markdown: '# One\nfirst' },
    { title: 'Two', markdown: '# Two\n```tl-try\n{ "label": "Go", "strategy": "fine-tuning" }\n```' },
    { title: 'Three', markdown: '# Three\n<script>window.hacked = true</script>' },
    { title: 'Four', markdown: '# Four\nlast' },
  ],
};

afterEach(cleanup);

function setup() {
  const seen: number[] = [];
  const view = render(LessonPlayer, { props: { lesson, page: 0, onPage: (p: number) => { seen.push(p); void view.rerender({ page: p }); } } });
  const heading = () => screen.getByTestId('lesson-page').querySelector('h1')?.textContent;
  const progress = () => screen.getByTestId('lesson-progress');
  return { seen, heading, progress };
}

describe('LessonPlayer keyboard navigation', () => {
  it('walks the lesson with → ← Space Shift+Space Home End and shows progress', async () => {
    const { seen, heading, progress } = setup();
    expect(heading()).toBe('One');
    expect(progress().getAttribute('aria-valuenow')).toBe('1');
    expect(progress().textContent).toContain('1 / 4');

    await fireEvent.keyDown(window, { key: 'ArrowRight' });
    expect(heading()).toBe('Two');
    expect(screen.getByTestId('try-it')).toBeTruthy();
    await fireEvent.keyDown(window, { key: ' ' });
    expect(heading()).toBe('Three');
    expect((window as unknown as { hacked?: boolean }).hacked).toBeUndefined();
    expect(screen.getByTestId('lesson-page').innerHTML).not.toContain('<script');
    await fireEvent.keyDown(window, { key: ' ', shiftKey: true });
    expect(heading()).toBe('Two');
    await fireEvent.keyDown(window, { key: 'End' });
    expect(heading()).toBe('Four');
    expect(progress().getAttribute('aria-valuetext')).toBe('Page 4 of 4: Four');
    expect((screen.getByTestId('lesson-next') as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.keyDown(window, { key: 'ArrowRight' });
    expect(heading()).toBe('Four');
    await fireEvent.keyDown(window, { key: 'Home' });
    expect(heading()).toBe('One');
    await fireEvent.keyDown(window, { key: 'ArrowLeft' });
    expect(seen).toEqual([1, 2, 1, 3, 0]);
  });

  it('ignores keys typed into a form field and moves with the buttons', async () => {
    const { heading } = setup();
    const input = document.createElement('input');
    document.body.append(input);
    await fireEvent.keyDown(input, { key: 'ArrowRight' });
    expect(heading()).toBe('One');
    input.remove();
    await fireEvent.click(screen.getByTestId('lesson-next'));
    expect(heading()).toBe('Two');
    await fireEvent.click(screen.getByTestId('lesson-prev'));
    expect(heading()).toBe('One');
  });
});

describe('LessonPlayer remembers the position', () => {
  // Fake timers hold the debounced save pending for as long as the test needs, on any machine.
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setupSaving() {
    const saved: Array<[string, number]> = [];
    const view = render(LessonPlayer, {
      props: { lesson, page: 0, onPage: (p: number) => void view.rerender({ page: p }), onSave: (id: string, p: number) => saved.push([id, p]) },
    });
    return { saved, view };
  }

  it('writes once when the student stops turning pages', async () => {
    const { saved } = setupSaving();
    await fireEvent.keyDown(window, { key: 'ArrowRight' });
    await fireEvent.keyDown(window, { key: 'ArrowRight' });
    expect(saved).toEqual([]);
    vi.runAllTimers();
    expect(saved).toEqual([['demo', 2]]);
  });

  it('writes the pending position when it is unmounted', async () => {
    const { saved, view } = setupSaving();
    await fireEvent.keyDown(window, { key: 'ArrowRight' });
    await fireEvent.keyDown(window, { key: 'End' });
    expect(saved).toEqual([]);
    view.unmount();
    expect(saved).toEqual([['demo', 3]]);
    vi.runAllTimers();
    expect(saved).toEqual([['demo', 3]]);
  });

  it('writes the pending position when the page is left or hidden', async () => {
    const { saved } = setupSaving();
    await fireEvent.keyDown(window, { key: 'End' });
    window.dispatchEvent(new Event('pagehide'));
    expect(saved).toEqual([['demo', 3]]);

    await fireEvent.keyDown(window, { key: 'Home' });
    const visibility = vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    document.dispatchEvent(new Event('visibilitychange'));
    visibility.mockRestore();
    expect(saved).toEqual([['demo', 3], ['demo', 0]]);
    vi.runAllTimers();
    expect(saved).toEqual([['demo', 3], ['demo', 0]]);
  });

  it('writes the pending position of the lesson it was on before switching lessons', async () => {
    const { saved, view } = setupSaving();
    await fireEvent.keyDown(window, { key: 'End' });
    await view.rerender({ lesson: { ...lesson, id: 'other' }, page: 0 });
    expect(saved).toEqual([['demo', 3]]);
  });
});
