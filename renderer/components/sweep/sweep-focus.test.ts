import { describe, expect, it } from 'vitest';
import type { SweepSummary } from '../../../electron/contract/index.js';
import { sweepFocus, sweepForDataset } from './sweep-focus.svelte.js';

const summary = (id: string, datasetId: string, source: SweepSummary['source'], createdAt = '2026-01-01T00:00:00.000Z') =>
  ({ id, source, createdAt, config: { datasetId } }) as SweepSummary;

describe('the sweep the guided lesson opens', () => {
  it('is the student\'s newest on the pair\'s data set, else the shipped one, else none', () => {
    const list = [
      summary('shipped:digits', 'digits', 'shipped'),
      summary('old', 'digits', 'stored', '2026-01-01T00:00:00.000Z'),
      summary('new', 'digits', 'stored', '2026-02-01T00:00:00.000Z'),
      summary('shipped:fashion-target', 'fashion-target', 'shipped'),
    ];
    expect(sweepForDataset(list, 'digits')).toBe('new');
    expect(sweepForDataset(list, 'fashion-target')).toBe('shipped:fashion-target');
    expect(sweepForDataset(list, 'folder-0123456789ab')).toBeNull();
    expect(sweepForDataset(list, null)).toBeNull();
  });

  it('is asked for once: the panel takes the request', () => {
    sweepFocus.show('digits');
    expect(sweepFocus.take()).toEqual({ datasetId: 'digits' });
    expect(sweepFocus.take()).toBeNull();
  });
});
