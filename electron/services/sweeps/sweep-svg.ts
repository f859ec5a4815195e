// The sweep's figure as a standalone SVG, the same picture the app draws: test accuracy against
// training images (log scale), one line per strategy with its seed band, the flowchart's 1,000 and
// 10,000 thresholds and the crossing point; below it training time against images; the crossing
// sentence under both. Written by hand (no DOM on the server) so exports and `npm run sweep` match.
import { STRATEGY_LABEL, type Strategy, type SweepDetail } from '../../contract/index.js';
import { analyzeSweep, FLOWCHART_THRESHOLDS, type SizeResult } from '../../contract/sweep-analysis.js';

const COLOR: Record<Strategy, string> = { 'feature-extraction': '#1f7a5a', 'fine-tuning': '#b04a12' };
const W = 960;
const LEFT = 84;
const RIGHT = 930;
const A = { top: 114, bottom: 404 };
const B = { top: 464, bottom: 644 };
const nf = new Intl.NumberFormat('en-US');

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const f = (x: number) => x.toFixed(1);

function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${f(x)}" y="${f(y)}" ${attrs}>${esc(s)}</text>`;
}

function logScale(lo: number, hi: number, from: number, to: number) {
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  return (v: number) => from + ((Math.log10(v) - a) / (b - a)) * (to - from);
}

function logTicks(lo: number, hi: number, steps: number[] = [1, 2, 5]): number[] {
  const ticks: number[] = [];
  for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++) {
    for (const m of steps) {
      const v = m * 10 ** k;
      if (v >= lo && v <= hi) ticks.push(v);
    }
  }
  // A narrow range (less than a decade) gets every whole step.
  return ticks.length < 4 && steps.length < 9 ? logTicks(lo, hi, [1, 2, 3, 4, 5, 6, 7, 8, 9]) : ticks;
}

const shortCount = (v: number) => (v >= 10_000 ? `${nf.format(v / 1000)}k` : nf.format(v));

/** Lines of at most `max` characters, broken at spaces. */
function wrap(s: string, max: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of s.split(' ')) {
    if (line && line.length + word.length + 1 > max) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

interface Panel {
  top: number;
  bottom: number;
  y: (v: number) => number;
  yTicks: Array<{ v: number; label: string }>;
  yLabel: string;
  value: (s: SizeResult, strategy: Strategy) => { mid: number; low: number; high: number } | null;
}

function drawPanel(p: Panel, sizes: SizeResult[], x: (v: number) => number, xTicks: number[], strategies: Strategy[]): string[] {
  const out: string[] = [];
  out.push(`<rect x="${LEFT}" y="${p.top}" width="${RIGHT - LEFT}" height="${p.bottom - p.top}" fill="none" stroke="#c9ced6"/>`);
  for (const t of p.yTicks) {
    const y = p.y(t.v);
    out.push(`<line x1="${LEFT}" x2="${RIGHT}" y1="${f(y)}" y2="${f(y)}" stroke="#eceef2"/>`);
    out.push(text(LEFT - 8, y + 4, t.label, 'text-anchor="end" class="tick"'));
  }
  for (const v of xTicks) {
    const xv = x(v);
    out.push(`<line x1="${f(xv)}" x2="${f(xv)}" y1="${p.top}" y2="${p.bottom}" stroke="#f1f2f5"/>`);
    out.push(text(xv, p.bottom + 16, shortCount(v), 'text-anchor="middle" class="tick"'));
  }
  out.push(text(20, (p.top + p.bottom) / 2, p.yLabel, `transform="rotate(-90 20 ${f((p.top + p.bottom) / 2)})" text-anchor="middle" class="axis"`));
  for (const strategy of strategies) {
    const pts = sizes.flatMap((s) => {
      const v = p.value(s, strategy);
      return v ? [{ x: x(s.images), ...v }] : [];
    });
    if (pts.length === 0) continue;
    const c = COLOR[strategy];
    if (pts.length > 1) {
      const band = [...pts.map((q) => `${f(q.x)},${f(p.y(q.high))}`), ...[...pts].reverse().map((q) => `${f(q.x)},${f(p.y(q.low))}`)];
      out.push(`<polygon points="${band.join(' ')}" fill="${c}" fill-opacity="0.16" stroke="none"/>`);
      out.push(`<polyline points="${pts.map((q) => `${f(q.x)},${f(p.y(q.mid))}`).join(' ')}" fill="none" stroke="${c}" stroke-width="2.5"/>`);
    } else {
      out.push(`<line x1="${f(pts[0].x)}" x2="${f(pts[0].x)}" y1="${f(p.y(pts[0].low))}" y2="${f(p.y(pts[0].high))}" stroke="${c}" stroke-width="2"/>`);
    }
    for (const q of pts) out.push(`<circle cx="${f(q.x)}" cy="${f(p.y(q.mid))}" r="4" fill="${c}"/>`);
  }
  return out;
}

export function sweepSvg(sweep: SweepDetail): string {
  const cfg = sweep.config;
  const analysis = analyzeSweep({ ladder: cfg.ladder, similarity: cfg.similarity, compute: cfg.compute, runs: sweep.runs });
  const images = cfg.ladder.map((l) => l.images);
  const lo = Math.min(...images) / 1.5;
  const hi = Math.max(...images) * 1.5;
  const x = logScale(lo, hi, LEFT, RIGHT);
  const xTicks = logTicks(lo, hi);
  const strategies = cfg.strategies;

  const accs = analysis.sizes.flatMap((s) => strategies.flatMap((k) => (s.strategies[k] ? [s.strategies[k]!.band.low, s.strategies[k]!.band.high] : [])));
  const yLo = accs.length ? Math.max(0, Math.floor(Math.min(...accs) * 10) / 10) : 0;
  const yHi = accs.length ? Math.min(1, Math.ceil(Math.max(...accs) * 10) / 10) : 1;
  const yHiSafe = yHi <= yLo ? Math.min(1, yLo + 0.1) : yHi;
  const step = yHiSafe - yLo > 0.35 ? 0.1 : 0.05;
  const yA = (v: number) => A.bottom - ((v - yLo) / (yHiSafe - yLo)) * (A.bottom - A.top);
  const accTicks = [];
  for (let v = yLo; v <= yHiSafe + 1e-9; v += step) accTicks.push({ v, label: `${Math.round(v * 100)} %` });

  const secs = analysis.sizes.flatMap((s) => strategies.flatMap((k) => (s.strategies[k] ? [Math.max(0.1, s.strategies[k]!.seconds.mean)] : [])));
  const sLo = secs.length ? Math.min(...secs) / 1.6 : 1;
  const sHi = secs.length ? Math.max(...secs) * 1.6 : 100;
  const yB = logScale(sLo, sHi, B.bottom, B.top);

  const out: string[] = [];
  const spread = cfg.seeds === 1 ? 'one seed, the band its 95 % interval' : `mean \u00b1 sd over ${cfg.seeds} seeds`;
  const test = cfg.testImages ? `${nf.format(cfg.testImages)} fixed test images` : 'each run\u2019s held-out fifth';
  out.push(text(LEFT, 30, `${cfg.datasetName}: both strategies by training size`, 'class="title"'));
  out.push(text(LEFT, 52, `Test accuracy on ${test}, ${spread}; ${cfg.backboneId}, ${cfg.budget ? 'a quick budget (not the pair rule\u2019s)' : 'the pair rule\u2019s budget'}; ${sweep.done} of ${sweep.total} runs done.`, 'class="sub"'));

  const band = (s: SizeResult, k: Strategy) => {
    const v = s.strategies[k];
    return v ? { mid: v.acc.mean, low: v.band.low, high: v.band.high } : null;
  };
  const time = (s: SizeResult, k: Strategy) => {
    const v = s.strategies[k];
    if (!v) return null;
    const mid = Math.max(sLo, v.seconds.mean);
    return { mid, low: Math.max(sLo, v.seconds.mean - v.seconds.sd), high: Math.min(sHi, v.seconds.mean + v.seconds.sd) };
  };
  out.push(...drawPanel({ top: A.top, bottom: A.bottom, y: yA, yTicks: accTicks, yLabel: 'test accuracy', value: band }, analysis.sizes, x, xTicks, strategies));
  const timeTicks = logTicks(sLo, sHi).filter((v) => [1, 10, 100, 1000, 10000].includes(v) || logTicks(sLo, sHi).length < 7).map((v) => ({ v, label: `${nf.format(v)} s` }));
  out.push(...drawPanel({ top: B.top, bottom: B.bottom, y: yB, yTicks: timeTicks, yLabel: 'training seconds', value: time }, analysis.sizes, x, xTicks, strategies));
  out.push(text(LEFT, B.top - 10, 'Training time per run (log scale)', 'class="panel"'));
  out.push(text(LEFT, A.top - 40, 'Test accuracy', 'class="panel"'));
  out.push(text((LEFT + RIGHT) / 2, B.bottom + 38, 'images per run (train + validation), log scale', 'text-anchor="middle" class="axis"'));

  // The flowchart's thresholds, in both panels.
  FLOWCHART_THRESHOLDS.forEach((t, i) => {
    if (t.images < lo || t.images > hi) return;
    const xv = x(t.images);
    for (const p of [A, B]) out.push(`<line x1="${f(xv)}" x2="${f(xv)}" y1="${p.top}" y2="${p.bottom}" stroke="#6b7280" stroke-dasharray="6 4" stroke-width="1.5"/>`);
    const label = `flowchart: ${t.label}`;
    const right = xv + 8 + label.length * 7 > RIGHT;
    // Above the plot, one row each, so no label covers a line.
    out.push(text(right ? xv - 5 : xv + 5, A.top - 22 + 16 * i, label, `class="mark"${right ? ' text-anchor="end"' : ''}`));
  });
  // The crossing point.
  const cross = analysis.crossing;
  if (cross) {
    const xv = x(cross.images);
    const c = COLOR[cross.winner];
    for (const p of [A, B]) out.push(`<line x1="${f(xv)}" x2="${f(xv)}" y1="${p.top}" y2="${p.bottom}" stroke="${c}" stroke-width="2"/>`);
    const label = `${cross.kind === 'crossing' ? 'crossing: ' : ''}${STRATEGY_LABEL[cross.winner].toLowerCase()} better from here`;
    const right = xv + 8 + label.length * 7 > RIGHT;
    out.push(text(right ? xv - 6 : xv + 6, A.bottom - 10, label, `class="mark" style="fill:${c}"${right ? ' text-anchor="end"' : ''}`));
  }
  // Legend.
  strategies.forEach((k, i) => {
    // Top left: accuracy grows with the data, so that corner is the emptiest.
    const lx = LEFT + 14;
    const ly = A.top + 22 + 20 * i;
    out.push(`<rect x="${lx}" y="${ly - 9}" width="22" height="10" fill="${COLOR[k]}" fill-opacity="0.25"/><line x1="${lx}" x2="${lx + 22}" y1="${ly - 4}" y2="${ly - 4}" stroke="${COLOR[k]}" stroke-width="2.5"/>`);
    out.push(text(lx + 30, ly, STRATEGY_LABEL[k], 'class="legend"'));
  });
  if (accs.length === 0) out.push(text((LEFT + RIGHT) / 2, (A.top + A.bottom) / 2, 'No finished runs yet.', 'text-anchor="middle" class="sub"'));

  const lines = wrap(analysis.crossingText, 120);
  lines.forEach((l, i) => out.push(text(LEFT, B.bottom + 70 + 18 * i, l, 'class="verdict"')));
  const height = B.bottom + 70 + 18 * lines.length + 14;

  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif">
<style>.title{font-size:18px;font-weight:700;fill:#111827}.sub{font-size:12.5px;fill:#4b5563}.tick{font-size:11.5px;fill:#4b5563}.axis{font-size:13px;font-weight:600;fill:#374151}.panel{font-size:13.5px;font-weight:700;fill:#111827}.mark{font-size:12px;font-weight:600;fill:#4b5563}.legend{font-size:13px;fill:#111827}.verdict{font-size:13px;fill:#111827}</style>
<rect width="100%" height="100%" fill="#ffffff"/>
${out.join('\n')}
</svg>
`;
}
