// Runs started together over several seeds (same repeatId) are read as one result: mean ± sd of
// their test accuracy, with each seed's run one click away. A repeated pair makes two groups (one
// per strategy) that share the repeatId.
import type { RunSummary, Strategy } from '../../../electron/contract/index.js';
import { meanSd } from '../../../electron/contract/stats.js';

export interface SeedGroup {
  key: string;
  repeatId: string;
  strategy: Strategy;
  /** Ordered by seed. */
  runs: RunSummary[];
  /** Over the runs that have a test score. */
  test: { mean: number; sd: number; n: number } | null;
}

export type HistoryItem = { kind: 'run'; run: RunSummary } | { kind: 'group'; group: SeedGroup };

const keyOf = (r: Pick<RunSummary, 'repeatId' | 'strategy'>) => `${r.repeatId}|${r.strategy}`;

export function seedGroup(runs: RunSummary[]): SeedGroup {
  const sorted = [...runs].sort((a, b) => a.seed - b.seed);
  const accs = sorted.map((r) => r.testAcc).filter((x): x is number => x != null);
  return {
    key: keyOf(sorted[0]),
    repeatId: sorted[0].repeatId!,
    strategy: sorted[0].strategy,
    runs: sorted,
    test: accs.length ? meanSd(accs) : null,
  };
}

/**
 * The list as History shows it: a group in place of its runs (at its first run's position, in the
 * current sort), a repeated pair's two groups side by side with feature extraction first. A single
 * run of a repeat (the others filtered out or deleted) stays a plain row.
 */
export function groupBySeeds(runs: RunSummary[]): HistoryItem[] {
  const members = new Map<string, RunSummary[]>();
  for (const r of runs) if (r.repeatId) members.set(keyOf(r), [...(members.get(keyOf(r)) ?? []), r]);
  const items: HistoryItem[] = [];
  const placed = new Set<string>();
  for (const r of runs) {
    if (!r.repeatId || (members.get(keyOf(r))?.length ?? 0) < 2) {
      items.push({ kind: 'run', run: r });
      continue;
    }
    if (placed.has(keyOf(r))) continue;
    const siblings = [...members.entries()]
      .filter(([k, rs]) => rs[0].repeatId === r.repeatId && rs.length >= 2 && !placed.has(k))
      .sort(([, a], [, b]) => (a[0].strategy === b[0].strategy ? 0 : a[0].strategy === 'feature-extraction' ? -1 : 1));
    for (const [k, rs] of siblings) {
      placed.add(k);
      items.push({ kind: 'group', group: seedGroup(rs) });
    }
  }
  return items;
}

/** The seed groups among compared runs (two or more runs of one repeat and strategy). */
export function seedGroupsOf(runs: RunSummary[]): SeedGroup[] {
  return groupBySeeds(runs).flatMap((it) => (it.kind === 'group' ? [it.group] : []));
}

/**
 * A repeated pair's result over its seeds: the fine-tuning minus feature-extraction test accuracy
 * of each seed (runs matched by seed), as mean ± sd in points. Null unless both groups have at
 * least two seeds scored.
 */
export function seedDifference(fe: SeedGroup, ft: SeedGroup): { mean: number; sd: number; n: number } | null {
  const feBySeed = new Map(fe.runs.filter((r) => r.testAcc != null).map((r) => [r.seed, r.testAcc!]));
  const diffs = ft.runs.filter((r) => r.testAcc != null && feBySeed.has(r.seed)).map((r) => (r.testAcc! - feBySeed.get(r.seed)!) * 100);
  return diffs.length >= 2 ? meanSd(diffs) : null;
}
