// What the sweep figure draws, from the analysis: one x per size (images per run, log scale), per
// strategy a line with its band, and the markers: the flowchart's 1,000 and 10,000 thresholds
// (where the sizes reach near them) and the crossing point.
import { STRATEGY_LABEL, type Strategy } from '../../../electron/contract/index.js';
import { FLOWCHART_THRESHOLDS, type SweepAnalysis } from '../../../electron/contract/sweep-analysis.js';

export const STRATEGY_VAR: Record<Strategy, string> = { 'feature-extraction': 'var(--fe)', 'fine-tuning': 'var(--ft)' };

export interface SweepSeries { strategy: Strategy; label: string; color: string; y: Array<number | null>; low: Array<number | null>; high: Array<number | null> }
/** `label`: drawn beside the line (short); `title`: what it means, for the caption and screen readers. */
export interface SweepMarker { x: number; label: string; title: string; color: string; dash: boolean }
export interface SweepChartData { x: number[]; series: SweepSeries[]; markers: SweepMarker[]; range: [number, number] }

function markers(analysis: SweepAnalysis, range: [number, number], labelled: boolean): SweepMarker[] {
  const out: SweepMarker[] = FLOWCHART_THRESHOLDS
    .filter((t) => t.images >= range[0] && t.images <= range[1])
    .map((t) => ({ x: t.images, label: labelled ? t.images.toLocaleString('en-US') : '', title: `flowchart: ${t.label}`, color: 'var(--muted)', dash: true }));
  const c = analysis.crossing;
  if (c) {
    out.push({
      x: c.images, label: labelled ? (c.kind === 'crossing' ? 'crossing' : `${c.winner === 'fine-tuning' ? 'FT' : 'FE'} ahead`) : '',
      title: `${c.kind === 'crossing' ? 'crossing: ' : ''}${STRATEGY_LABEL[c.winner].toLowerCase()} better from here`, color: STRATEGY_VAR[c.winner], dash: false,
    });
  }
  return out;
}

function build(analysis: SweepAnalysis, strategies: readonly Strategy[], pick: (s: NonNullable<SweepAnalysis['sizes'][number]['strategies'][Strategy]>) => [number, number, number], labelled: boolean): SweepChartData {
  const x = analysis.sizes.map((s) => s.images);
  const range: [number, number] = x.length ? [Math.min(...x) / 1.5, Math.max(...x) * 1.5] : [1, 10];
  const series = strategies.map((strategy) => {
    const values = analysis.sizes.map((s) => (s.strategies[strategy] ? pick(s.strategies[strategy]!) : null));
    return {
      strategy,
      label: STRATEGY_LABEL[strategy],
      color: STRATEGY_VAR[strategy],
      y: values.map((v) => v?.[0] ?? null),
      low: values.map((v) => v?.[1] ?? null),
      high: values.map((v) => v?.[2] ?? null),
    };
  });
  return { x, series, markers: markers(analysis, range, labelled), range };
}

/** Test accuracy in %, with the band (mean ± sd over seeds, or one run's Wilson interval). */
export function accuracyChart(analysis: SweepAnalysis, strategies: readonly Strategy[]): SweepChartData {
  return build(analysis, strategies, (v) => [v.acc.mean * 100, v.band.low * 100, v.band.high * 100], true);
}

/** Training seconds per run, mean ± sd (never below 0.1 s, for the log scale). */
export function timeChart(analysis: SweepAnalysis, strategies: readonly Strategy[]): SweepChartData {
  const floor = (s: number) => Math.max(0.1, s);
  return build(analysis, strategies, (v) => [floor(v.seconds.mean), floor(v.seconds.mean - v.seconds.sd), floor(v.seconds.mean + v.seconds.sd)], false);
}

/** "about 3 min left", for the progress bar. */
export function etaText(seconds: number | null): string {
  if (seconds === null) return 'estimating the time left after the first runs…';
  if (seconds < 60) return 'less than a minute left';
  if (seconds < 3600) return `about ${Math.round(seconds / 60)} min left`;
  const h = Math.floor(seconds / 3600);
  return `about ${h} h ${Math.round((seconds - h * 3600) / 60)} min left`;
}
