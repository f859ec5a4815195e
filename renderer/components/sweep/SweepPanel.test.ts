import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { SweepDetail, SweepRun, WireResponse } from '../../../electron/contract/index.js';
import { packCorrect } from '../../../electron/contract/stats.js';
import SweepEmbed from './SweepEmbed.svelte';
import SweepPanel from './SweepPanel.svelte';

afterEach(cleanup);

const N = 200;
const run = (perClass: number, strategy: SweepRun['strategy'], correct: number | null, status: SweepRun['status'] = 'completed'): SweepRun => ({
  perClass, images: perClass * 5, seed: 42, strategy, runId: `${perClass}-${strategy}`, status, testAcc: correct === null ? null : correct / N, testLow: null, testHigh: null,
  testN: correct === null ? null : N, seconds: correct === null ? null : 10, startedAt: null, finishedAt: null, setId: 'pool',
  correctFlags: correct === null ? null : packCorrect(Array.from({ length: N }, (_, i) => i < correct)), error: null,
});
const sweep: SweepDetail = {
  id: 's1', name: 'Sweep · digits', status: 'running', done: 3, total: 4, failed: 0, etaSeconds: 150, studentName: '', classSession: '',
  createdAt: '2026-02-03T10:00:00.000Z', finishedAt: null, error: null, source: 'stored',
  config: {
    datasetId: 'digits', backboneId: 'tl-resnet-s', name: 'Sweep · digits', sizes: [5, 10], strategies: ['feature-extraction', 'fine-tuning'], unfreezeBlocks: 2, seeds: 1, seed: 42,
    similarity: 'very-different', compute: 'ample', backend: 'auto', datasetName: 'Handwritten digits', classes: ['0'], ladder: [{ perClass: 5, images: 25 }, { perClass: 10, images: 50 }], testImages: N,
  },
  runs: [run(5, 'feature-extraction', 100), run(5, 'fine-tuning', 160), run(10, 'feature-extraction', 120), run(10, 'fine-tuning', null, 'running')],
};
const calls: Array<{ method: string; params: unknown }> = [];

// The real api client, talking to a stand-in for the desktop preload bridge.
window.transferLab = {
  async invoke(method: string, params: unknown): Promise<WireResponse> {
    calls.push({ method, params });
    const result = method === 'sweeps.list' ? [sweep] : method === 'sweeps.get' ? ((params as { id: string }).id === 'shipped:none' ? null : sweep)
      : method === 'datasets.list' ? [{ id: 'digits', name: 'Handwritten digits', source: 'shipped', role: 'different-target', description: '', classes: ['0', '1'], counts: [801, 902], imageSize: [28, 28, 1] }]
      : method === 'sweeps.cancel' ? { ...sweep, status: 'cancelled' } : null;
    if (result === null) return { id: 0, ok: false, error: { code: 'not-found', message: 'No shipped sweep for "none".' } };
    return { id: 0, ok: true, result };
  },
  on: () => () => undefined,
};

describe('SweepPanel', () => {
  it('shows the newest stored sweep: progress with the time left, the figure\'s values, the crossing and a verdict per size', async () => {
    render(SweepPanel);
    await waitFor(() => expect(screen.getByTestId('sweep-progress').dataset.done).toBe('3'));
    expect(screen.getByTestId('sweep-counts').textContent).toBe('3 of 4 runs done');
    expect(screen.getByTestId('sweep-eta').textContent).toBe('about 3 min left');
    expect(screen.getAllByTestId('sweep-chart')).toHaveLength(2);
    expect(screen.getByText(/^Fine-tuning: 25 images 80\.0 %; 50 images –$/)).toBeTruthy();
    expect(screen.getByTestId('sweep-crossing').textContent).toMatch(/^Fine-tuning is ahead throughout and better beyond the noise from 5 per class \(25 images\) on\./);
    const verdicts = screen.getAllByTestId('sweep-verdict');
    expect(verdicts.map((v) => v.dataset.winner)).toEqual(['fine-tuning', 'none']);
    expect(verdicts[1].textContent).toMatch(/Not enough finished runs of both strategies/);
    expect(screen.getByTestId('sweep-ladder-preview').textContent).toMatch(/Runs at 5, 10, 30, 100, 300, 902 \(all\) per class × 3 seeds × both strategies = 36 runs\./);
    await fireEvent.click(screen.getByTestId('sweep-cancel'));
    await waitFor(() => expect(calls.some((c) => c.method === 'sweeps.cancel' && (c.params as { id: string }).id === 's1')).toBe(true));
  });
});

describe('SweepEmbed', () => {
  it('shows a shipped sweep by its data set, and says plainly when there is none', async () => {
    render(SweepEmbed, { props: { config: { shipped: 'digits', caption: 'Digits' } } });
    await waitFor(() => expect(screen.getAllByTestId('sweep-verdict')).toHaveLength(2));
    expect(calls.some((c) => c.method === 'sweeps.get' && (c.params as { id: string }).id === 'shipped:digits')).toBe(true);
    cleanup();
    render(SweepEmbed, { props: { config: { shipped: 'none' } } });
    await waitFor(() => expect(screen.getByTestId('sweep-embed-missing').textContent).toBe('No shipped sweep for "none".'));
  });
});
