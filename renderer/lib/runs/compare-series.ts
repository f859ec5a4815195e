// The Compare view's curves, one pair of lines (validation, training) per run. A two-phase
// fine-tuning run's head phase is the same computation as its partner feature-extraction run, so
// the two lines coincide there: fine-tuning lines are drawn first and wide, feature extraction on
// top and narrow (both stay visible), and a marker shows where each fine-tuning run unfreezes.
import type { ChartMarker, ChartSeries } from './chart-types.js';
import type { EpochMetrics, RunDetail } from '../../../electron/contract/index.js';

type Charted = Pick<RunDetail, 'id' | 'name' | 'strategy' | 'epochs'>;

export const LINE_WIDTH = { 'fine-tuning': 4.5, 'feature-extraction': 2 } as const;

/** Epoch numbers restart when a two-phase run unfreezes, so x counts the epochs run so far. */
export function compareSeries(
  runs: Charted[],
  colors: Map<string, string>,
  labels: Map<string, string>,
  pick: (e: EpochMetrics) => [val: number, train: number],
): ChartSeries[] {
  const drawOrder = [...runs.filter((r) => r.strategy === 'fine-tuning'), ...runs.filter((r) => r.strategy !== 'fine-tuning')];
  return drawOrder.flatMap((r) => {
    const x = r.epochs.map((_, i) => i + 1);
    const color = colors.get(r.id) ?? 'var(--accent)';
    const label = labels.get(r.id) ?? r.name;
    const width = LINE_WIDTH[r.strategy];
    return [
      { label: `${label} · val`, title: `${r.name}: validation`, color, width, x, y: r.epochs.map((e) => pick(e)[0]) },
      { label: `${label} · train`, title: `${r.name}: training`, color, width, dash: true, x, y: r.epochs.map((e) => pick(e)[1]) },
    ];
  });
}

/** Halfway between a fine-tuning run's last head epoch and its first fine-tuning epoch; runs that
 *  unfreeze at the same epoch share one marker. */
export function unfreezeMarkers(runs: Charted[], colors: Map<string, string>, labels: Map<string, string>): ChartMarker[] {
  const at = new Map<number, { names: string[]; color: string }>();
  for (const r of runs) {
    if (r.strategy !== 'fine-tuning') continue;
    const j = r.epochs.findIndex((e) => e.phase === 'fine-tune');
    if (j <= 0) continue;
    const x = j + 0.5;
    const m = at.get(x) ?? { names: [], color: colors.get(r.id) ?? 'var(--ft)' };
    m.names.push(labels.get(r.id) ?? r.name);
    at.set(x, m);
  }
  return [...at.entries()].sort(([a], [b]) => a - b).map(([x, m]) => ({ x, color: m.color, label: `${m.names.join(', ')} unfreezes` }));
}
