import { describe, expect, it } from 'vitest';
import { flags, runSummary, testScore, withTest } from './testing/run-fixtures.js';
import { groupBySeeds, seedDifference, seedGroupsOf } from './seed-groups.js';

const run = (id: string, strategy: 'feature-extraction' | 'fine-tuning', seed: number, correct: number, repeatId: string | null = 'rep') =>
  withTest(runSummary(id, strategy, { seed, repeatId }), testScore(flags(100, correct)));

describe('seed groups', () => {
  it('puts a group where its first run stands and leaves other runs in place', () => {
    const items = groupBySeeds([run('a', 'feature-extraction', 1, 80, null), run('b', 'fine-tuning', 43, 90), run('c', 'fine-tuning', 42, 88), run('d', 'feature-extraction', 5, 70, null)]);
    expect(items.map((i) => (i.kind === 'run' ? i.run.id : i.group.runs.map((r) => r.id).join('+')))).toEqual(['a', 'c+b', 'd']);
    const g = items[1].kind === 'group' ? items[1].group : null;
    expect(g?.test?.mean).toBeCloseTo(0.89);
  });

  it('gives a repeated pair its difference over seeds, matched seed by seed', () => {
    const groups = seedGroupsOf([
      run('fe1', 'feature-extraction', 1, 80), run('ft1', 'fine-tuning', 1, 86),
      run('fe2', 'feature-extraction', 2, 82), run('ft2', 'fine-tuning', 2, 90),
    ]);
    expect(groups.map((g) => g.strategy)).toEqual(['feature-extraction', 'fine-tuning']);
    const d = seedDifference(groups[0], groups[1]);
    expect(d?.mean).toBeCloseTo(7);
    expect(d?.sd).toBeCloseTo(Math.SQRT2);
  });
});
