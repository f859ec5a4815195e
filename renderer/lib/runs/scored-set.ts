// Which images a run's confusion matrix, per-class accuracy and mistakes come from: the test
// images where the run has a test score, the validation images for runs from before the test set.
import type { RunResult } from '../../../electron/contract/index.js';

export type SetKind = 'test' | 'validation';

export interface ScoredSet {
  kind: SetKind;
  /** Images scored; null where an old run did not record it. */
  n: number | null;
  confusion: number[][];
  perClassAcc: number[];
  misclassified: RunResult['misclassified'];
}

export function scoredSet(r: RunResult, kind: SetKind = r.test ? 'test' : 'validation'): ScoredSet {
  if (kind === 'test' && r.test) return { kind, n: r.test.n, confusion: r.test.confusion, perClassAcc: r.test.perClassAcc, misclassified: r.test.misclassified };
  return { kind: 'validation', n: r.valN > 0 ? r.valN : null, confusion: r.confusion, perClassAcc: r.perClassAcc, misclassified: r.misclassified };
}

/** For runs side by side: the test images only when every run has a test score, since a
 *  difference between one run's test matrix and another's validation matrix means nothing. */
export function commonSetKind(results: RunResult[]): SetKind {
  return results.length > 0 && results.every((r) => r.test) ? 'test' : 'validation';
}

export function setCaption(s: Pick<ScoredSet, 'kind' | 'n'>): string {
  const n = s.n == null ? '' : `${s.n.toLocaleString('en-US')} `;
  return s.kind === 'test' ? `on the ${n}test images` : `on the ${n}validation images`;
}
