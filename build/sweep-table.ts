// The Markdown table of a sweep (what `npm run sweep` writes beside its figure): per size, each
// strategy's test accuracy (mean ± sd over seeds) and seconds, the paired verdict and what the
// flowchart advised; then the crossing point and how long the sweep took.
import { STRATEGY_LABEL, type SweepDetail } from '../electron/contract/index.js';
import { analyzeSweep } from '../electron/contract/sweep-analysis.js';

const nf = new Intl.NumberFormat('en-US');
const acc = (x: { mean: number; sd: number } | undefined) => (x ? `${(x.mean * 100).toFixed(1)} ± ${(x.sd * 100).toFixed(1)} %` : '–');
const secs = (x: { mean: number } | undefined) => (x ? nf.format(Math.round(x.mean)) : '–');

export function sweepTable(sweep: SweepDetail, wall: { seconds: number; machine: string } | null): string {
  const a = analyzeSweep({ ladder: sweep.config.ladder, similarity: sweep.config.similarity, compute: sweep.config.compute, runs: sweep.runs });
  const rows = a.sizes.map((s) => {
    const fe = s.strategies['feature-extraction'];
    const ft = s.strategies['fine-tuning'];
    const p = s.paired;
    const diff = p ? `${p.difference >= 0 ? '+' : '−'}${Math.abs(p.difference * 100).toFixed(1)} (p ${p.p < 0.001 ? '< 0.001' : `≤ ${p.p.toFixed(3)}`})` : '–';
    const winner = p?.winner ? STRATEGY_LABEL[p.winner] : 'no clear difference';
    return `| ${nf.format(s.perClass)} | ${nf.format(s.images)} | ${acc(fe?.acc)} | ${acc(ft?.acc)} | ${diff} | ${winner} | ${secs(fe?.seconds)} | ${secs(ft?.seconds)} | ${STRATEGY_LABEL[s.verdict.advice]} |`;
  });
  const test = sweep.config.testImages ? `${nf.format(sweep.config.testImages)} fixed test images` : 'each run\u2019s held-out fifth';
  return [
    `## Sweep: ${sweep.config.datasetName}`,
    '',
    `Both strategies at ${sweep.config.ladder.length} sizes × ${sweep.config.seeds} seed${sweep.config.seeds === 1 ? '' : 's'} (${sweep.done} of ${sweep.total} runs finished), backbone \`${sweep.config.backboneId}\`, the pair rule's budget${sweep.config.budget ? ` with fine-tuning overridden to ${JSON.stringify(sweep.config.budget)}` : ''}; test accuracy on ${test}, mean ± sd over seeds. "FT − FE" is the mean paired difference in points; p is the largest exact McNemar p-value over the seeds (a strategy is "better" only when every seed says so at p < 0.05).`,
    '',
    '| per class | images | feature extraction | fine-tuning | FT − FE (points) | better beyond the noise | FE s | FT s | flowchart advised |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    a.crossingText,
    '',
    ...a.sizes.map((s) => `- ${s.verdict.text}`),
    ...(wall ? ['', `Wall time: ${nf.format(Math.round(wall.seconds))} s on ${wall.machine}.`] : []),
    '',
  ].join('\n');
}
