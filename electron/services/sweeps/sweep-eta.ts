// How long a sweep still needs. Each strategy's wall time per run is fitted as a line in the
// number of images (a fixed part: start, loading, scoring the test pool; a part that grows with the
// data) from its finished runs; the runs still queued and the rest of the running ones are summed
// and shared over the workers. No estimate until every strategy still to run has finished once.
import type { Strategy } from '../../contract/index.js';

export interface EtaRun {
  strategy: Strategy;
  images: number;
  status: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

const wall = (r: EtaRun) => (Date.parse(r.finishedAt!) - Date.parse(r.startedAt!)) / 1000;

/** Least squares seconds ≈ a + b·images over the finished runs. From one size alone the growth is
 *  unknown: its mean is used (at small sizes a run's time is mostly the fixed part). */
function fit(done: EtaRun[]): ((images: number) => number) | null {
  if (done.length === 0) return null;
  const xs = done.map((r) => r.images);
  const ys = done.map(wall);
  const floor = Math.min(...ys);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  if (sxx === 0) return () => my;
  const b = Math.max(0, xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0) / sxx);
  const a = my - b * mx;
  return (images) => Math.max(floor, a + b * images);
}

export function sweepEta(runs: EtaRun[], workers: number, now: number): number | null {
  const active = runs.filter((r) => r.status === 'queued' || r.status === 'running');
  if (active.length === 0) return 0;
  const finished = runs.filter((r) => r.status === 'completed' && r.startedAt && r.finishedAt);
  const models = new Map<Strategy, (images: number) => number>();
  for (const s of ['feature-extraction', 'fine-tuning'] as const) {
    const m = fit(finished.filter((r) => r.strategy === s));
    if (m) models.set(s, m);
  }
  let seconds = 0;
  for (const r of active) {
    const model = models.get(r.strategy);
    if (!model) return null;
    const elapsed = r.status === 'running' && r.startedAt ? (now - Date.parse(r.startedAt)) / 1000 : 0;
    seconds += Math.max(0, model(r.images) - elapsed);
  }
  return seconds / Math.max(1, Math.min(workers, active.length));
}
