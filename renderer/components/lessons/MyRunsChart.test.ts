import { cleanup, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { WireResponse } from '../../../electron/contract/index.js';
import { flags, runSummary, testScore, withTest } from '../../lib/runs/testing/run-fixtures.js';
import MyRunsChart from './MyRunsChart.svelte';

afterEach(cleanup);

// The real api client, talking to a stand-in for the desktop preload bridge.
const runs = [withTest(runSummary('new', 'fine-tuning'), testScore(flags(500, 451))), runSummary('old', 'feature-extraction')];
window.transferLab = {
  async invoke(): Promise<WireResponse> {
    return { id: 0, ok: true, result: { runs, total: runs.length } };
  },
  on: () => () => undefined,
};

describe('MyRunsChart', () => {
  it('charts and lists test accuracy with its interval; older runs say they have none', async () => {
    render(MyRunsChart, { props: { config: {} } });
    await waitFor(() => expect(screen.getAllByTestId('my-run-test-acc')).toHaveLength(2));
    expect(screen.getByRole('figure', { name: 'Your runs: test accuracy' })).toBeTruthy();
    // Oldest first: the list came newest first.
    expect(screen.getAllByTestId('my-run-test-acc').map((c) => c.textContent)).toEqual(['no test score (recorded before the test set)', '90.2 % (87.3–92.5, n = 500)']);
    expect(screen.getByText(/1 run recorded before the test set has no point on the chart/)).toBeTruthy();
  });
});
