// Which compared runs can be tested image by image, and the verdict in words. Two runs qualify when
// they were scored on the same test images (the same result.test.setId). Runs of linked pairs are
// compared within their pair (one verdict per seed); otherwise every run against the first one.
import type { RunDetail } from '../../../electron/contract/index.js';
import { comparePaired, discordant, pairedVerdict, unpackCorrect, type PairedComparison } from '../../../electron/contract/stats.js';
import { strategyLabel } from './format.js';

type Scored = Pick<RunDetail, 'id' | 'strategy' | 'pairId' | 'seed' | 'result'> & { config: Pick<RunDetail['config'], 'unfrozenBatchNorm'> };

export type PairedResult =
  | { firstId: string; secondId: string; comparison: PairedComparison; verdict: string }
  | { firstId: string; secondId: string; error: string };

export interface PairedPlan {
  results: PairedResult[];
  /** Set when at least two runs have test scores but no two share their test images. */
  unpairedNote: string | null;
}

const bnName = { 'batch-statistics': 'BatchNorm with batch statistics', inference: 'BatchNorm in inference mode' } as const;

/** What tells the two runs apart, in words that fit the verdict sentence. */
function names(a: Scored, b: Scored, labels: Map<string, string>): [string, string] {
  if (a.strategy !== b.strategy) return [strategyLabel[a.strategy].toLowerCase(), strategyLabel[b.strategy].toLowerCase()];
  const bnA = a.config.unfrozenBatchNorm ?? 'batch-statistics';
  const bnB = b.config.unfrozenBatchNorm ?? 'batch-statistics';
  if (a.strategy === 'fine-tuning' && bnA !== bnB) return [bnName[bnA], bnName[bnB]];
  return [labels.get(a.id) ?? a.id, labels.get(b.id) ?? b.id];
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Below this p the verdict names a winner (pairedVerdict's default). */
const ALPHA = 0.05;

export function pairedTest(a: Scored, b: Scored, labels: Map<string, string>): PairedResult {
  const ta = a.result!.test!;
  const tb = b.result!.test!;
  try {
    const { onlyFirst, onlySecond } = discordant(unpackCorrect(ta.correctFlags, ta.n), unpackCorrect(tb.correctFlags, tb.n));
    let comparison = comparePaired(ta.n, onlyFirst, onlySecond);
    // The interval is for second − first: when the first run wins, turn the pair round so the
    // sentence "X is better by 6.4 points" carries an interval of positive points too.
    if (comparison.p < ALPHA && comparison.difference < 0) {
      comparison = comparePaired(ta.n, onlySecond, onlyFirst);
      return { firstId: b.id, secondId: a.id, comparison, verdict: capitalise(pairedVerdict(comparison, names(b, a, labels), ALPHA)) };
    }
    return { firstId: a.id, secondId: b.id, comparison, verdict: capitalise(pairedVerdict(comparison, names(a, b, labels), ALPHA)) };
  } catch (e) {
    return { firstId: a.id, secondId: b.id, error: `No paired test: ${e instanceof Error ? e.message : String(e)}` };
  }
}

export function pairedPlan(runs: Scored[], labels: Map<string, string>): PairedPlan {
  const scored = runs.filter((r) => r.result?.test);
  const setOf = (r: Scored) => r.result!.test!.setId;
  const pairs = new Map<string, Scored[]>();
  for (const r of scored) if (r.pairId) pairs.set(r.pairId, [...(pairs.get(r.pairId) ?? []), r]);
  const linked = [...pairs.values()].filter((p) => p.length === 2 && setOf(p[0]) === setOf(p[1]));
  let couples: [Scored, Scored][];
  if (linked.length > 0) {
    // Feature extraction first: the reference the pair's fine-tuning run is measured against.
    couples = linked.map((p) => (p[0].strategy === 'fine-tuning' && p[1].strategy === 'feature-extraction' ? [p[1], p[0]] : [p[0], p[1]]));
  } else {
    const [first, ...rest] = scored;
    couples = first ? rest.filter((r) => setOf(r) === setOf(first)).map((r) => [first, r]) : [];
  }
  const unpairedNote = scored.length >= 2 && couples.length === 0
    ? 'These runs were scored on different test images, so they cannot be compared image by image: compare their intervals instead.'
    : null;
  return { results: couples.map(([a, b]) => pairedTest(a, b, labels)), unpairedNote };
}
