// How an accuracy is written wherever a student reads one: the test accuracy with its Wilson 95 %
// interval and the number of test images, seed groups as mean ± sd, and why a run stopped.
import type { RunSummary, StopReason, TestScore } from '../../../electron/contract/index.js';
import { meanSd } from '../../../electron/contract/stats.js';

/** What runs recorded before the test set existed show instead of a number. */
export const NO_TEST_SCORE = 'no test score (recorded before the test set)';

const grouped = new Intl.NumberFormat('en-US');
const points = (x: number) => (x * 100).toFixed(1);

export interface AccuracyParts {
  /** "90.2 %" */
  value: string;
  /** "89.3–91.0" (percent) */
  interval: string;
  /** "n = 5,000" */
  n: string;
}

export function accuracyParts(accuracy: number, low: number, high: number, n: number): AccuracyParts {
  return { value: `${points(accuracy)} %`, interval: `${points(low)}–${points(high)}`, n: `n = ${grouped.format(n)}` };
}

/** 0.902, 0.893, 0.910, 5000 → "90.2 % (89.3–91.0, n = 5,000)". */
export function formatAccuracy(accuracy: number, low: number, high: number, n: number): string {
  const p = accuracyParts(accuracy, low, high, n);
  return `${p.value} (${p.interval}, ${p.n})`;
}

/** A run's test score as one string, or the note for runs from before the test set. */
export function testAccuracyText(test: TestScore | null | undefined): string {
  return test ? formatAccuracy(test.accuracy, test.low, test.high, test.n) : NO_TEST_SCORE;
}

type SummaryScore = Pick<RunSummary, 'testAcc' | 'testLow' | 'testHigh' | 'testN'>;

export function summaryTestParts(r: SummaryScore): AccuracyParts | null {
  if (r.testAcc == null || r.testLow == null || r.testHigh == null || r.testN == null) return null;
  return accuracyParts(r.testAcc, r.testLow, r.testHigh, r.testN);
}

/** The same from a history row, which carries the score as flat columns. */
export function summaryTestText(r: SummaryScore): string {
  const p = summaryTestParts(r);
  return p ? `${p.value} (${p.interval}, ${p.n})` : NO_TEST_SCORE;
}

/** Accuracies of the runs of one seed group → "90.2 ± 1.3 %"; one value has sd 0; none → null. */
export function formatMeanSd(accuracies: readonly number[]): string | null {
  if (accuracies.length === 0) return null;
  const { mean, sd } = meanSd(accuracies);
  return `${points(mean)} ± ${points(sd)} %`;
}

/** "early stopping at epoch 14 (cap 30)" or "hit the cap of 30 epochs"; null when not recorded. */
export function stopReasonText(stopped: StopReason | null | undefined): string | null {
  if (!stopped) return null;
  if (stopped.kind === 'early-stopping') return `early stopping at epoch ${stopped.epoch} (cap ${stopped.cap})`;
  return `hit the cap of ${stopped.cap} epoch${stopped.cap === 1 ? '' : 's'}`;
}
