import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SweepDetail } from '../../contract/index.js';
import { readShippedSweep, shippedSweepIds } from './shipped-sweeps.js';

const sweep: SweepDetail = {
  id: 'abc', name: 'Sweep · digits', status: 'completed', done: 0, total: 0, failed: 0, etaSeconds: 12, studentName: '', classSession: '',
  createdAt: '2026-02-03T10:00:00.000Z', finishedAt: null, error: null, source: 'stored',
  config: {
    datasetId: 'digits', backboneId: 'tl-resnet-s', name: 'Sweep · digits', sizes: [5, 10], strategies: ['feature-extraction', 'fine-tuning'], unfreezeBlocks: 2, seeds: 3, seed: 42,
    similarity: 'very-different', compute: 'ample', backend: 'wasm', datasetName: 'Handwritten digits', classes: [], ladder: [], testImages: 2000,
  },
  runs: [],
};

describe('shipped sweeps', () => {
  it('lists resources/sweeps/<id>.json and reads one as a read-only shipped sweep', () => {
    const resources = mkdtempSync(join(tmpdir(), 'tl-shipped-'));
    expect(shippedSweepIds(resources)).toEqual([]);
    mkdirSync(join(resources, 'sweeps'));
    writeFileSync(join(resources, 'sweeps/digits.json'), JSON.stringify(sweep));
    writeFileSync(join(resources, 'sweeps/digits.svg'), '<svg/>');
    expect(shippedSweepIds(resources)).toEqual(['digits']);
    expect(readShippedSweep(resources, 'digits')).toEqual({ ...sweep, id: 'shipped:digits', source: 'shipped', etaSeconds: null });
    expect(() => readShippedSweep(resources, '../etc')).toThrow('No shipped sweep for "../etc".');
    writeFileSync(join(resources, 'sweeps/bad.json'), JSON.stringify({ ...sweep, runs: 'x' }));
    expect(() => readShippedSweep(resources, 'bad')).toThrow(/is invalid \(runs: /);
  });
});
