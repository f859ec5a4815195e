// The statistics every accuracy a student reads is shown with: Wilson's interval for one accuracy,
// the exact McNemar test and an interval for the difference of two classifiers scored on the same
// images, and mean ± sd over seeds. Pure functions: the renderer, the services and the build
// scripts share them.

export interface Interval { low: number; high: number }

/** z for a two-sided 95 % interval. */
export const Z95 = 1.959963984540054;

/** Wilson score interval for `correct` successes out of `n` (Wilson 1927); [0, 1] when n = 0. */
export function wilson(correct: number, n: number, z = Z95): Interval {
  if (n <= 0) return { low: 0, high: 1 };
  const p = correct / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At 0 or n correct the bound is exactly 0 or 1; rounding would leave 1e-16 either side.
  return { low: correct <= 0 ? 0 : Math.max(0, centre - half), high: correct >= n ? 1 : Math.min(1, centre + half) };
}

/** log C(n, k), exact enough for n up to millions. */
function logChoose(n: number, k: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}
const LOG_FACT: number[] = [0];
function logFactorial(n: number): number {
  for (let i = LOG_FACT.length; i <= n; i++) LOG_FACT[i] = LOG_FACT[i - 1] + Math.log(i);
  return LOG_FACT[n];
}

/**
 * Exact (binomial) McNemar test, two-sided. `b` = images only the first classifier got right,
 * `c` = images only the second got right. Under "no difference" each discordant image is a fair
 * coin, so p = P(|B − (b+c)/2| ≥ |b − (b+c)/2|) with B ~ Binomial(b+c, ½).
 */
export function mcnemarExact(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  let tail = 0;
  for (let i = 0; i <= k; i++) tail += Math.exp(logChoose(n, i) - n * Math.LN2);
  return Math.min(1, 2 * tail);
}

export interface PairedComparison {
  /** Images both runs were scored on. */
  n: number;
  /** Only the first run right / only the second run right. */
  onlyFirst: number;
  onlySecond: number;
  /** Accuracy of the second minus the first, and its 95 % interval. */
  difference: number;
  interval: Interval;
  /** Exact McNemar p-value. */
  p: number;
}

/**
 * Compares two classifiers scored on the same `n` images from their discordant counts. The interval
 * for the difference is Agresti and Min's (2005) adjusted Wald interval for paired proportions
 * (half an image added to each cell of the 2×2 table), which keeps its coverage for small n.
 */
export function comparePaired(n: number, onlyFirst: number, onlySecond: number, z = Z95): PairedComparison {
  const difference = n > 0 ? (onlySecond - onlyFirst) / n : 0;
  const b = onlyFirst + 0.5;
  const c = onlySecond + 0.5;
  const m = n + 2;
  const d = (c - b) / m;
  const se = Math.sqrt(Math.max(0, (b + c) / m - d * d) / m);
  const interval = { low: Math.max(-1, d - z * se), high: Math.min(1, d + z * se) };
  return { n, onlyFirst, onlySecond, difference, interval, p: mcnemarExact(onlyFirst, onlySecond) };
}

/** Per-image correctness of two runs (same images, same order) → discordant counts. */
export function discordant(first: ArrayLike<boolean>, second: ArrayLike<boolean>): { onlyFirst: number; onlySecond: number } {
  if (first.length !== second.length) throw new Error(`The two runs were scored on different numbers of images (${first.length} and ${second.length}).`);
  let onlyFirst = 0;
  let onlySecond = 0;
  for (let i = 0; i < first.length; i++) {
    if (first[i] && !second[i]) onlyFirst++;
    else if (!first[i] && second[i]) onlySecond++;
  }
  return { onlyFirst, onlySecond };
}

/** Mean and sample standard deviation (sd = 0 for a single value). */
export function meanSd(xs: readonly number[]): { mean: number; sd: number; n: number } {
  const n = xs.length;
  if (n === 0) return { mean: NaN, sd: NaN, n };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

/** Correctness flags packed 8 per byte, base64: how a run's per-image test results are stored. */
export function packCorrect(flags: ArrayLike<boolean>): string {
  const bytes = new Uint8Array(Math.ceil(flags.length / 8));
  for (let i = 0; i < flags.length; i++) if (flags[i]) bytes[i >> 3] |= 1 << (i & 7);
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function unpackCorrect(packed: string, n: number): boolean[] {
  const s = atob(packed);
  if (s.length !== Math.ceil(n / 8)) throw new Error(`Stored test results hold ${s.length * 8} flags, expected ${n}.`);
  return Array.from({ length: n }, (_, i) => ((s.charCodeAt(i >> 3) >> (i & 7)) & 1) === 1);
}

/** The sentence Compare shows for a paired comparison, in a student's words. */
export function pairedVerdict(cmp: PairedComparison, names: [string, string], alpha = 0.05): string {
  const pts = (x: number) => `${(Math.abs(x) * 100).toFixed(1)} points`;
  // The interval is for (second − first); when the first run is the better one, say it for first − second.
  const flip = cmp.p < alpha && cmp.difference < 0;
  const [lo, hi] = flip ? [-cmp.interval.high, -cmp.interval.low] : [cmp.interval.low, cmp.interval.high];
  const ci = `95 % CI ${(lo * 100).toFixed(1)} to ${(hi * 100).toFixed(1)} points`;
  const p = cmp.p < 0.001 ? 'p < 0.001' : `p = ${cmp.p.toFixed(3)}`;
  const images = `${cmp.n.toLocaleString('en-US')} test images`;
  if (cmp.p >= alpha) {
    return `No clear difference on these ${images}: ${names[1]} − ${names[0]} = ${cmp.difference >= 0 ? '+' : '−'}${pts(cmp.difference)} (${ci}); a difference this large by chance: ${p}.`;
  }
  const [better, worse] = cmp.difference > 0 ? [names[1], names[0]] : [names[0], names[1]];
  return `${better} is better than ${worse} by ${pts(cmp.difference)} on ${images} (${ci}); a difference this large by chance: ${p}.`;
}
