// One colour per run in the compare view: the strategy colours for the first run of each strategy
// (so a pair reads as FE green / FT orange everywhere), then distinct extras.
import type { RunSummary } from '../../../electron/contract/index.js';
import { strategyColor } from './format.js';

const EXTRA = ['#2f5fd0', '#8e44ad', '#c2185b', '#00838f', '#6d4c41', '#7cb342'];

export function runColors(runs: Pick<RunSummary, 'id' | 'strategy'>[]): Map<string, string> {
  const colors = new Map<string, string>();
  const used = new Set<string>();
  for (const r of runs) {
    const c = strategyColor[r.strategy];
    if (!used.has(c)) {
      colors.set(r.id, c);
      used.add(c);
    }
  }
  let next = 0;
  for (const r of runs) if (!colors.has(r.id)) colors.set(r.id, EXTRA[next++ % EXTRA.length]);
  return colors;
}
