import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunSummary } from '../../../electron/contract/index.js';
import { flags, runSummary, testScore, withTest } from '../../lib/runs/testing/run-fixtures.js';
import RunTable from './RunTable.svelte';

afterEach(cleanup);

const text = (el: Element) => el.textContent?.replace(/\s+/g, ' ').trim() ?? '';

function setup(runs: RunSummary[], selected: string[] = [], sort: 'createdAt' | 'testAcc' = 'createdAt') {
  const props = {
    runs, selected, sort, order: 'desc' as const,
    onToggle: vi.fn(), onToggleAll: vi.fn(), onSelect: vi.fn(), onSort: vi.fn(), onEdit: vi.fn(), onRerun: vi.fn(), onComparePair: vi.fn(),
  };
  render(RunTable, { props });
  return props;
}

/** A pair repeated over seeds 42–44: FT 90/91/92 %, FE 84/85/86 % of 1,000 test images. */
function repeatedPair(): RunSummary[] {
  return [42, 43, 44].flatMap((seed, i) => [
    withTest(runSummary(`fe-${seed}`, 'feature-extraction', { seed, repeatId: 'rep-1', pairId: `pair-${seed}` }), testScore(flags(1000, 840 + 10 * i))),
    withTest(runSummary(`ft-${seed}`, 'fine-tuning', { seed, repeatId: 'rep-1', pairId: `pair-${seed}` }), testScore(flags(1000, 900 + 10 * i))),
  ]);
}

describe('History table', () => {
  it('heads each run with its test accuracy, interval and n; old runs say they have no test score', () => {
    const scored = withTest(runSummary('a', 'feature-extraction'), testScore(flags(500, 451)));
    const old = runSummary('b', 'fine-tuning');
    const running = runSummary('c', 'fine-tuning', { status: 'running' });
    setup([scored, old, running]);
    const cells = screen.getAllByTestId('row-test-acc').map(text);
    expect(cells).toEqual(['90.2 % (87.3–92.5, n = 500)', 'no test score (recorded before the test set)', '–']);
  });

  it('sorts by test accuracy from its column header', async () => {
    const props = setup([runSummary('a', 'feature-extraction')]);
    await fireEvent.click(screen.getByTestId('sort-testAcc'));
    expect(props.onSort).toHaveBeenCalledWith('testAcc', 'desc');
  });

  it('folds runs repeated over seeds into mean ± sd per strategy, each seed one click away', async () => {
    const props = setup(repeatedPair());
    const groups = screen.getAllByTestId('seed-group');
    expect(groups.map((g) => g.dataset.strategy)).toEqual(['feature-extraction', 'fine-tuning']);
    expect(screen.queryAllByTestId('run-row')).toHaveLength(0);
    expect(screen.getAllByTestId('group-test-acc').map(text)).toEqual(['85.0 ± 1.0 % mean ± sd, 3 seeds', '91.0 ± 1.0 % mean ± sd, 3 seeds']);
    expect(text(groups[0])).toMatch(/seeds 42, 43, 44/);

    await fireEvent.click(within(groups[1]).getByTestId('seed-group-toggle'));
    const rows = screen.getAllByTestId('run-row');
    expect(rows.map((r) => r.dataset.runId)).toEqual(['ft-42', 'ft-43', 'ft-44']);
    expect(text(within(rows[2]).getByTestId('row-test-acc'))).toMatch(/^92\.0 % \(/);

    // The repeated pair compares seed by seed, feature extraction before its partner.
    await fireEvent.click(within(groups[0]).getByTestId('compare-group'));
    expect(props.onComparePair).toHaveBeenCalledWith(['fe-42', 'ft-42', 'fe-43', 'ft-43', 'fe-44', 'ft-44']);
    expect(within(groups[1]).queryByTestId('compare-group')).toBeNull();

    await fireEvent.click(within(groups[0]).getByRole('checkbox'));
    expect(props.onSelect).toHaveBeenCalledWith(['fe-42', 'fe-43', 'fe-44'], true);
  });

  it('keeps a single seed of a repeat as a plain row', () => {
    setup([runSummary('x', 'feature-extraction', { repeatId: 'rep-2' })]);
    expect(screen.queryByTestId('seed-group')).toBeNull();
    expect(screen.getAllByTestId('run-row')).toHaveLength(1);
  });
});
