import { cleanup, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { flags, runDetail, testScore } from '../../lib/runs/testing/run-fixtures.js';
import RunSummaryCard from './RunSummaryCard.svelte';

afterEach(cleanup);

describe('RunSummaryCard', () => {
  it('heads with the test accuracy, its 95 % interval and n; validation is what the run optimised', () => {
    const detail = runDetail('r1', 'fine-tuning', testScore(flags(5000, 4510)));
    render(RunSummaryCard, { props: { detail } });
    expect(screen.getByTestId('test-acc').textContent?.replace(/\s+/g, ' ').trim()).toBe('90.2 % (89.3–91.0, n = 5,000)');
    expect(screen.getByTestId('summary-card').textContent).toMatch(/best validation accuracy \(epoch 3\) on 100 images: what early stopping optimised/);
    expect(screen.getByTestId('stop-reason').textContent).toMatch(/early stopping at epoch 3 of at most 30/);
    expect(screen.getByRole('table', { name: /Confusion matrix on the 5,000 test images/ })).toBeTruthy();
  });

  it('shows a run from before the test set without a test number, and a run that hit the cap', () => {
    const detail = runDetail('r2', 'feature-extraction', null);
    detail.result!.stopped = { kind: 'epoch-cap', epoch: 30, cap: 30 };
    render(RunSummaryCard, { props: { detail } });
    expect(screen.getByTestId('test-acc').textContent).toBe('no test score (recorded before the test set)');
    expect(screen.getByTestId('stop-reason').textContent).toMatch(/hit the cap of 30 epochs/);
    expect(screen.getByRole('table', { name: /Confusion matrix on the 100 validation images/ })).toBeTruthy();
  });
});
