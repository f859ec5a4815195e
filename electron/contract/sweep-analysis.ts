// What a sweep's runs say: per size and strategy, mean ± sd test accuracy and training time; per
// size, whether one strategy is better beyond the noise (the paired test on the shared test
// images); the crossing point; and a verdict in words comparing that with the flowchart's advice.
// Pure: the renderer draws it, the services export it, the build script writes it.
import { LARGE_ABOVE, SMALL_BELOW, flowchartAdvice, flowchartPath } from './flowchart.js';
import { STRATEGY_LABEL, type Compute, type Similarity, type Strategy, type SweepRun } from './index.js';
import { comparePaired, discordant, meanSd, unpackCorrect, type Interval } from './stats.js';

/** Significance level of the paired test. */
export const SWEEP_ALPHA = 0.05;

export interface StrategyAtSize {
  strategy: Strategy;
  /** Completed runs with a test score. */
  runs: number;
  acc: { mean: number; sd: number };
  /** The band drawn around the line: mean ± sd over seeds, or the one run's Wilson interval. */
  band: Interval;
  seconds: { mean: number; sd: number };
}

export interface SeedComparison {
  seed: number;
  n: number;
  /** Fine-tuning's accuracy minus feature extraction's on the same test images. */
  difference: number;
  interval: Interval;
  p: number;
}

export interface PairedAtSize {
  comparisons: SeedComparison[];
  /** The strategy better beyond the noise (see `combineSeeds`), or null. */
  winner: Strategy | null;
  /** The combined p-value: the largest of the seeds' (1 when the seeds disagree in sign). */
  p: number;
  /** Mean over seeds of fine-tuning − feature extraction. */
  difference: number;
}

export interface SizeVerdict {
  advice: Strategy;
  /** The flowchart's path for this size, e.g. "< 1,000" or "1,000–10,000 → very similar". */
  route: string;
  /** Mean test accuracy of the advised strategy minus the other's (positive: following it gained). */
  points: number | null;
  /** Mean seconds of the other strategy minus the advised one's (positive: following it saved time). */
  seconds: number | null;
  text: string;
}

export interface SizeResult {
  perClass: number;
  images: number;
  strategies: Partial<Record<Strategy, StrategyAtSize>>;
  paired: PairedAtSize | null;
  verdict: SizeVerdict;
}

export interface Crossing {
  perClass: number;
  images: number;
  winner: Strategy;
  /** 'crossing': the other strategy was ahead (in mean accuracy) at a smaller size; 'ahead-throughout': it never was. */
  kind: 'crossing' | 'ahead-throughout';
}

export interface SweepAnalysis {
  sizes: SizeResult[];
  crossing: Crossing | null;
  crossingText: string;
  /** The smallest size at which the flowchart advises fine-tuning, or null in this range. */
  flowchartSwitch: { perClass: number; images: number } | null;
}

export interface SweepAnalysisInput {
  ladder: Array<{ perClass: number; images: number }>;
  similarity: Similarity;
  compute: Compute;
  runs: SweepRun[];
}

const other = (s: Strategy): Strategy => (s === 'feature-extraction' ? 'fine-tuning' : 'feature-extraction');
const nf = new Intl.NumberFormat('en-US');
const pts = (x: number) => `${(Math.abs(x) * 100).toFixed(1)} point${Math.abs(x * 100).toFixed(1) === '1.0' ? '' : 's'}`;
const secs = (x: number) => `${nf.format(Math.round(Math.abs(x)))} s`;
const lower = (s: Strategy) => STRATEGY_LABEL[s].toLowerCase();
export const sizeLabel = (perClass: number, images: number) => `${nf.format(perClass)} per class (${nf.format(images)} images)`;

function scored(runs: SweepRun[]): SweepRun[] {
  return runs.filter((r) => r.status === 'completed' && r.testAcc !== null);
}

function strategyAtSize(strategy: Strategy, runs: SweepRun[]): StrategyAtSize | undefined {
  const done = scored(runs).filter((r) => r.strategy === strategy);
  if (done.length === 0) return undefined;
  const acc = meanSd(done.map((r) => r.testAcc!));
  const seconds = meanSd(done.map((r) => r.seconds ?? 0));
  const band = done.length > 1
    ? { low: Math.max(0, acc.mean - acc.sd), high: Math.min(1, acc.mean + acc.sd) }
    : { low: done[0].testLow ?? acc.mean, high: done[0].testHigh ?? acc.mean };
  return { strategy, runs: done.length, acc: { mean: acc.mean, sd: acc.sd }, band, seconds: { mean: seconds.mean, sd: seconds.sd } };
}

/** The exact McNemar test of one seed's pair, when both runs were scored on the same images. */
function compareSeed(fe: SweepRun, ft: SweepRun): SeedComparison | null {
  if (!fe.setId || fe.setId !== ft.setId || !fe.correctFlags || !ft.correctFlags || !fe.testN || fe.testN !== ft.testN) return null;
  const { onlyFirst, onlySecond } = discordant(unpackCorrect(fe.correctFlags, fe.testN), unpackCorrect(ft.correctFlags, ft.testN));
  const c = comparePaired(fe.testN, onlyFirst, onlySecond);
  return { seed: fe.seed, n: c.n, difference: c.difference, interval: c.interval, p: c.p };
}

/**
 * How the seeds' paired tests are combined, conservatively: a strategy is better at a size only if
 * it is better in EVERY seed pair, each by its own exact McNemar test at SWEEP_ALPHA. This is the
 * intersection–union test: the claim "better in every seed" holds at level α without a
 * multiplicity correction, and its p-value is the largest of the seeds' p-values. The seeds'
 * discordant counts are NOT pooled into one test: every seed is scored on the same test pool, so
 * pooling would count each test image once per seed and overstate the evidence.
 */
export function combineSeeds(comparisons: SeedComparison[], alpha = SWEEP_ALPHA): { winner: Strategy | null; p: number } {
  if (comparisons.length === 0) return { winner: null, p: 1 };
  const allFt = comparisons.every((c) => c.difference > 0);
  const allFe = comparisons.every((c) => c.difference < 0);
  const p = allFt || allFe ? Math.max(...comparisons.map((c) => c.p)) : 1;
  return { winner: p < alpha ? (allFt ? 'fine-tuning' : 'feature-extraction') : null, p };
}

function pairedAtSize(runs: SweepRun[]): PairedAtSize | null {
  const done = scored(runs);
  const seeds = [...new Set(done.map((r) => r.seed))].sort((a, b) => a - b);
  const comparisons: SeedComparison[] = [];
  for (const seed of seeds) {
    const fe = done.find((r) => r.seed === seed && r.strategy === 'feature-extraction');
    const ft = done.find((r) => r.seed === seed && r.strategy === 'fine-tuning');
    const c = fe && ft ? compareSeed(fe, ft) : null;
    if (c) comparisons.push(c);
  }
  if (comparisons.length === 0) return null;
  return { comparisons, ...combineSeeds(comparisons), difference: meanSd(comparisons.map((c) => c.difference)).mean };
}

function pValueText(paired: PairedAtSize): string {
  const p = paired.p < 0.001 ? '< 0.001' : `≤ ${paired.p.toFixed(3)}`;
  return paired.comparisons.length > 1 ? `p ${p} in every one of ${paired.comparisons.length} seeds` : `p ${p}`;
}

function verdictAt(perClass: number, images: number, input: SweepAnalysisInput, strategies: SizeResult['strategies'], paired: PairedAtSize | null): SizeVerdict {
  const answers = { images, similarity: input.similarity, compute: input.compute };
  const advice = flowchartAdvice(answers);
  const route = flowchartPath(answers).map((e) => e.label).join(' → ');
  const advised = strategies[advice];
  const alt = strategies[other(advice)];
  const points = advised && alt ? advised.acc.mean - alt.acc.mean : null;
  const seconds = advised && alt ? alt.seconds.mean - advised.seconds.mean : null;
  const head = `${sizeLabel(perClass, images)}: the flowchart says ${lower(advice)} (${route}).`;
  if (!advised || !alt) return { advice, route, points, seconds, text: `${head} Not enough finished runs of both strategies to check it yet.` };
  const winner = paired?.winner ?? null;
  const fe = strategies['feature-extraction']!;
  const ft = strategies['fine-tuning']!;
  const diff = paired?.difference ?? ft.acc.mean - fe.acc.mean;
  const basis = !paired ? 'no paired test' : paired.comparisons.length > 1 ? `not beyond the noise in every one of ${paired.comparisons.length} seeds` : `p = ${paired.p.toFixed(3)}`;
  const found = winner === null
    ? `No clear difference here: fine-tuning − feature extraction = ${diff < 0 ? '−' : '+'}${pts(diff)} (${basis}).`
    : `${STRATEGY_LABEL[winner]} was better beyond the noise (${pValueText(paired!)}), ${winner === advice ? 'as advised' : 'against the advice'}.`;
  const accuracy = points! >= 0 ? `gained ${pts(points!)}` : `cost ${pts(points!)}`;
  const time = seconds! >= 0 ? `saved ${secs(seconds!)} per run` : `took ${secs(seconds!)} longer per run`;
  const noise = winner === null ? ' (within the noise)' : '';
  return { advice, route, points, seconds, text: `${head} ${found} Following it ${accuracy}${noise} and ${time}.` };
}

/**
 * The crossing point: the smallest size at which one strategy is better beyond the noise with no
 * size above it where the other strategy is (so a lone early win that is later reversed does not
 * count). It is a 'crossing' when the other strategy was ahead in mean accuracy at some smaller size.
 */
export function findCrossing(sizes: SizeResult[]): Crossing | null {
  const winners = sizes.map((s) => s.paired?.winner ?? null);
  const lastWin = winners.findLastIndex((w) => w !== null);
  if (lastWin < 0) return null;
  const w = winners[lastWin]!;
  const lastOther = winners.findLastIndex((x) => x === other(w));
  const start = winners.findIndex((x, i) => i > lastOther && x === w);
  const behindBefore = sizes.slice(0, start).some((s) => {
    const a = s.strategies[w];
    const b = s.strategies[other(w)];
    return a && b && a.acc.mean < b.acc.mean;
  });
  const at = sizes[start];
  return { perClass: at.perClass, images: at.images, winner: w, kind: lastOther >= 0 || behindBefore ? 'crossing' : 'ahead-throughout' };
}

function crossingText(crossing: Crossing | null, sizes: SizeResult[], flowchartSwitch: SweepAnalysis['flowchartSwitch']): string {
  const both = sizes.some((s) => s.strategies['feature-extraction'] && s.strategies['fine-tuning']);
  if (!both) return 'Only one strategy has finished runs: there is nothing to cross yet.';
  const fc = flowchartSwitch
    ? ` The flowchart switches to fine-tuning at ${nf.format(flowchartSwitch.images)} images.`
    : ` The flowchart advises feature extraction at every size of this sweep.`;
  if (!crossing) return `No crossing in this range: at no size is one strategy better beyond the noise.${fc}`;
  const where = sizeLabel(crossing.perClass, crossing.images);
  return crossing.kind === 'crossing'
    ? `Crossing at ${where}: from there on ${lower(crossing.winner)} is better beyond the noise.${fc}`
    : `${STRATEGY_LABEL[crossing.winner]} is ahead throughout and better beyond the noise from ${where} on.${fc}`;
}

export function analyzeSweep(input: SweepAnalysisInput): SweepAnalysis {
  const sizes: SizeResult[] = input.ladder.map(({ perClass, images }) => {
    const runs = input.runs.filter((r) => r.perClass === perClass);
    const strategies: SizeResult['strategies'] = {};
    for (const s of ['feature-extraction', 'fine-tuning'] as const) {
      const at = strategyAtSize(s, runs);
      if (at) strategies[s] = at;
    }
    const paired = pairedAtSize(runs);
    return { perClass, images, strategies, paired, verdict: verdictAt(perClass, images, input, strategies, paired) };
  });
  const crossing = findCrossing(sizes);
  const firstFt = sizes.find((s) => s.verdict.advice === 'fine-tuning');
  const flowchartSwitch = firstFt ? { perClass: firstFt.perClass, images: firstFt.images } : null;
  return { sizes, crossing, crossingText: crossingText(crossing, sizes, flowchartSwitch), flowchartSwitch };
}

/** The flowchart's image thresholds, for drawing them into a figure. */
export const FLOWCHART_THRESHOLDS = [
  { images: SMALL_BELOW, label: 'under 1,000: feature extraction' },
  { images: LARGE_ABOVE, label: 'over 10,000: fine-tuning' },
] as const;
