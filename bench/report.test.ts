import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatCell, formatSection } from './report.js';
import { listSuites } from './run.js';

describe('bench report', () => {
  it('prints the union of row keys as columns, numbers right-aligned, then the notes', () => {
    const text = formatSection({
      title: 'T',
      rows: [{ metric: 'a', wasm: 1.23456 }, { metric: 'bb', pytorch: 120.4 }],
      notes: ['n1'],
    });
    expect(text.split('\n')).toEqual([
      '== T',
      'metric  wasm  pytorch',
      '------  ----  -------',
      'a       1.23',
      'bb                120',
      '* n1',
    ]);
  });

  it('formats numbers by magnitude and leaves strings alone', () => {
    expect([formatCell(0.01234), formatCell(5.678), formatCell(12.34), formatCell(7), formatCell('—')]).toEqual(['0.012', '5.68', '12.3', '7', '—']);
  });

  it('finds the suites, skipping test files', async () => {
    const suites = (await listSuites()).map((f) => path.basename(f));
    expect(suites).toContain('training.ts');
    expect(suites.every((f) => !f.endsWith('.test.ts'))).toBe(true);
  });
});
