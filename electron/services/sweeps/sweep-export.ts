// A sweep exported: every run as CSV, the figure as SVG or PNG (rendered from the SVG with sharp),
// or the whole sweep as JSON (what `npm run sweep` ships and the lessons show).
import sharp from 'sharp';
import type { SweepDetail, SweepExportFormat } from '../../contract/index.js';
import { sweepSvg } from './sweep-svg.js';

const COLUMNS = ['images_per_class', 'images', 'seed', 'strategy', 'status', 'test_accuracy', 'test_low', 'test_high', 'test_n', 'seconds', 'run_id'] as const;

const cell = (v: string | number | null) => {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function sweepCsv(sweep: SweepDetail): string {
  const rows = sweep.runs.map((r) => [r.perClass, r.images, r.seed, r.strategy, r.status ?? 'deleted', r.testAcc, r.testLow, r.testHigh, r.testN, r.seconds === null ? null : Math.round(r.seconds * 10) / 10, r.runId]);
  return [COLUMNS.join(','), ...rows.map((r) => r.map(cell).join(','))].join('\r\n') + '\r\n';
}

export async function sweepPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 144 }).png().toBuffer();
}

export async function exportSweep(sweep: SweepDetail, format: SweepExportFormat): Promise<{ filename: string; content: string; encoding: 'utf8' | 'base64' }> {
  const base = `sweep-${sweep.config.datasetId}-${sweep.createdAt.slice(0, 10)}`;
  switch (format) {
    case 'csv': return { filename: `${base}.csv`, content: sweepCsv(sweep), encoding: 'utf8' };
    case 'json': return { filename: `${base}.json`, content: JSON.stringify(sweep, null, 2) + '\n', encoding: 'utf8' };
    case 'svg': return { filename: `${base}.svg`, content: sweepSvg(sweep), encoding: 'utf8' };
    case 'png': return { filename: `${base}.png`, content: (await sweepPng(sweepSvg(sweep))).toString('base64'), encoding: 'base64' };
  }
}
