import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { WireResponse } from '../../../electron/contract/index.js';
import { nav } from '../../lib/nav.svelte.js';
import { fashionTarget, shippedResnet } from '../../lib/train/testing/train-fixtures.js';
import TryItButton from './TryItButton.svelte';

afterEach(cleanup);

// The real api client, talking to a stand-in for the desktop preload bridge.
const started: any[] = [];
window.transferLab = {
  async invoke(method: string, params: any): Promise<WireResponse> {
    const ok = (result: unknown): WireResponse => ({ id: 0, ok: true, result });
    if (method === 'datasets.list') return ok([fashionTarget]);
    if (method === 'models.list') return ok([shippedResnet]);
    if (method === 'training.start') {
      started.push(params);
      return ok({ runIds: [`run-${started.length}`], pairId: null });
    }
    if (method === 'training.queue') return ok({ running: [], queued: [], workers: 1 });
    return { id: 0, ok: false, error: { code: 'not-found', message: 'not here' } };
  },
  on: () => () => undefined,
};

describe('TryItButton', () => {
  it('starts one run per variant of a comparison and opens them in Compare', async () => {
    nav.view = 'lesson';
    render(TryItButton, { props: { config: {
      label: 'BatchNorm while fine-tuning', strategy: 'fine-tuning', backboneId: 'tl-resnet-s', dataset: { id: 'fashion-target', perClass: 100 },
      variants: [{ label: 'batch statistics', unfrozenBatchNorm: 'batch-statistics' }, { label: 'inference mode', unfrozenBatchNorm: 'inference' }],
    } } });
    expect(screen.getByTestId('try-compare').getAttribute('aria-label')).toMatch(/Starts 2 runs and opens them in Compare/);
    await fireEvent.click(screen.getByTestId('try-compare'));
    await waitFor(() => expect(nav.view).toBe('compare'));
    expect(nav.compareRunIds).toEqual(['run-1', 'run-2']);
    expect(started.map((r) => [r.name, r.config.unfrozenBatchNorm, r.config.seed])).toEqual([
      ['BatchNorm while fine-tuning: batch statistics', 'batch-statistics', 42],
      ['BatchNorm while fine-tuning: inference mode', 'inference', 42],
    ]);
  });
});
