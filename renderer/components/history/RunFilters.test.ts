import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import RunFilters from './RunFilters.svelte';

afterEach(cleanup);

describe('History filters', () => {
  it('reports the filter built from each control, and clears it', async () => {
    const onChange = vi.fn();
    render(RunFilters, { props: { datasets: ['digits', 'shapes'], students: ['Ada'], tags: ['lab1'], onChange } });

    await fireEvent.change(screen.getByTestId('filter-strategy'), { target: { value: 'fine-tuning' } });
    expect(onChange).toHaveBeenLastCalledWith({ sort: 'createdAt', order: 'desc', strategy: 'fine-tuning' });

    await fireEvent.change(screen.getByTestId('filter-dataset'), { target: { value: 'digits' } });
    await fireEvent.change(screen.getByTestId('filter-status'), { target: { value: 'completed' } });
    // Typing fires input (the binding) and then change (the query), as in a browser.
    for (const [id, value] of [['filter-student', ' Ada '], ['filter-tag', 'lab1']]) {
      await fireEvent.input(screen.getByTestId(id), { target: { value } });
      await fireEvent.change(screen.getByTestId(id));
    }
    await fireEvent.change(screen.getByTestId('history-sort'), { target: { value: 'bestValAcc:desc' } });
    expect(onChange).toHaveBeenLastCalledWith({
      sort: 'bestValAcc', order: 'desc', strategy: 'fine-tuning', datasetId: 'digits', status: 'completed', student: 'Ada', tag: 'lab1',
    });

    await fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    expect(onChange).toHaveBeenLastCalledWith({ sort: 'bestValAcc', order: 'desc' });
    expect(screen.queryByRole('button', { name: 'Clear filters' })).toBeNull();
  });

  it('waits for typing to pause before searching', async () => {
    vi.useFakeTimers();
    try {
      const onChange = vi.fn();
      render(RunFilters, { props: { onChange } });
      const box = screen.getByTestId('history-search');
      await fireEvent.input(box, { target: { value: 'cat' } });
      await fireEvent.input(box, { target: { value: 'cats' } });
      expect(onChange).not.toHaveBeenCalled();
      vi.advanceTimersByTime(300);
      expect(onChange).toHaveBeenCalledTimes(1);
      expect(onChange).toHaveBeenCalledWith({ sort: 'createdAt', order: 'desc', search: 'cats' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('offers the known data sets as choices', () => {
    render(RunFilters, { props: { datasets: ['digits', 'shapes'], onChange: () => {} } });
    const options = [...(screen.getByTestId('filter-dataset') as HTMLSelectElement).options].map((o) => o.value);
    expect(options).toEqual(['', 'digits', 'shapes']);
  });
});
