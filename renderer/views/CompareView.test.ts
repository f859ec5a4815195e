import { cleanup, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunDetail, WireResponse } from '../../electron/contract/index.js';
import { nav } from '../lib/nav.svelte.js';
import { flags, runDetail, testScore } from '../lib/runs/testing/run-fixtures.js';
import CompareView from './CompareView.svelte';

afterEach(cleanup);

// The real api client, talking to a stand-in for the desktop preload bridge that serves these runs.
let stored: RunDetail[] = [];
window.transferLab = {
  async invoke(method: string, params: any): Promise<WireResponse> {
    if (method === 'runs.get') {
      const run = stored.find((r) => r.id === params.id);
      return run ? { id: 0, ok: true, result: run } : { id: 0, ok: false, error: { code: 'not-found', message: `No run ${params.id}.` } };
    }
    return { id: 0, ok: true, result: { runs: [], total: 0 } };
  },
  on: () => () => undefined,
};

const text = (el: Element) => el.textContent?.replace(/\s+/g, ' ').trim() ?? '';

async function open(runs: RunDetail[]) {
  stored = runs;
  nav.compareRunIds = runs.map((r) => r.id);
  render(CompareView);
  await waitFor(() => expect(within(screen.getByTestId('test-row')).getAllByRole('cell')).toHaveLength(runs.length));
}

describe('Compare', () => {
  it('shows test accuracy with intervals and the paired verdict for a pair scored on the same images', async () => {
    // Of the same 1,000 test images FE gets 836 right, FT 900 (all 836 among them).
    const fe = runDetail('fe', 'feature-extraction', testScore(flags(1000, 836)), { pairId: 'p', name: 'Feature extraction · fashion-target ×100 · tl-resnet-s' });
    const ft = runDetail('ft', 'fine-tuning', testScore(flags(1000, 900)), { pairId: 'p', name: 'Fine-tuning · fashion-target ×100 · tl-resnet-s' });
    ft.result!.stopped = { kind: 'epoch-cap', epoch: 30, cap: 30 };
    await open([fe, ft]);

    const testRow = screen.getByTestId('test-row');
    const cells = within(testRow).getAllByRole('cell').map(text);
    expect(cells).toEqual(['83.6 % (81.2–85.8, n = 1,000)', '90.0 % (88.0–91.7, n = 1,000)(best)']);
    expect(within(screen.getByTestId('stop-row')).getAllByRole('cell').map(text)).toEqual(['early stopping at epoch 3 (cap 30)', 'hit the cap of 30 epochs']);

    const verdict = text(screen.getByTestId('verdict'));
    expect(verdict).toMatch(/^Fine-tuning is better than feature extraction by 6\.4 points on 1,000 test images \(95 % CI \d+\.\d to \d+\.\d points\); a difference this large by chance: p < 0\.001\.$/);
    // Short legend labels, full names on hover.
    const titled = screen.getAllByTitle('Fine-tuning · fashion-target ×100 · tl-resnet-s');
    expect(titled.length).toBeGreaterThan(0);
    for (const el of titled) expect(el.textContent).toMatch(/FT · seed 42/);
  });

  it('says there is no clear difference when the runs disagree on few images', async () => {
    const a = runDetail('a', 'feature-extraction', testScore(flags(1000, 900)), { pairId: 'q' });
    const b = runDetail('b', 'fine-tuning', testScore(flags(1000, 903, 5)), { pairId: 'q' });
    await open([a, b]);
    expect(text(screen.getByTestId('verdict'))).toMatch(/^No clear difference on these 1,000 test images: fine-tuning − feature extraction = \+0\.3 points/);
    // Overlapping intervals: neither run is marked best.
    expect(within(screen.getByTestId('test-row')).queryByText('(best)')).toBeNull();
  });

  it('aggregates a pair repeated over seeds as mean ± sd', async () => {
    const runs = [42, 43, 44].flatMap((seed, i) => [
      runDetail(`fe${seed}`, 'feature-extraction', testScore(flags(1000, 840 + 10 * i)), { seed, pairId: `p${seed}`, repeatId: 'rep' }),
      runDetail(`ft${seed}`, 'fine-tuning', testScore(flags(1000, 900 + 5 * i)), { seed, pairId: `p${seed}`, repeatId: 'rep' }),
    ]);
    await open(runs);
    const rows = screen.getAllByTestId('seed-summary-row').map((row) => [...row.children].map(text).slice(0, 2));
    expect(rows).toEqual([['FE over 3 seeds', '85.0 ± 1.0 %'], ['FT over 3 seeds', '90.5 ± 0.5 %']]);
    expect(text(screen.getByTestId('seed-difference'))).toBe('Over 3 seeds, fine-tuning − feature extraction = +5.5 ± 0.5 points (mean ± sd of the per-seed differences in test accuracy).');
    // One verdict per seed's pair.
    expect(screen.getAllByTestId('verdict')).toHaveLength(3);
  });

  it('shows runs from before the test set without a test number', async () => {
    await open([runDetail('o1', 'feature-extraction', null), runDetail('o2', 'fine-tuning', null)]);
    expect(within(screen.getByTestId('test-row')).getAllByRole('cell').map(text)).toEqual(Array(2).fill('no test score (recorded before the test set)'));
    expect(text(screen.getByTestId('paired-verdict'))).toBe('No paired test: these runs were recorded before the test set.');
  });
});
