// What a bench suite returns, and how sections are printed and saved.
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface BenchSection {
  title: string;
  rows: Record<string, string | number>[];
  notes: string[];
}

export interface BenchReport {
  startedAt: string;
  host: { cpus: number; cpuModel: string; node: string; platform: string; loadAverage: number[] };
  sections: BenchSection[];
}

export function hostFacts(): BenchReport['host'] {
  const cpus = os.cpus();
  return {
    cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', node: process.version,
    platform: `${process.platform}-${process.arch}`, loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
}

/** Numbers get at most 3 significant decimals; other values print as given. */
export function formatCell(v: string | number | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const abs = Math.abs(v);
  return v.toFixed(abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3);
}

/** A plain-text table: the union of the rows' keys as columns, numbers right-aligned. */
export function formatSection(section: BenchSection): string {
  const columns: string[] = [];
  for (const row of section.rows) for (const k of Object.keys(row)) if (!columns.includes(k)) columns.push(k);
  const cells = section.rows.map((row) => columns.map((c) => formatCell(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const numeric = columns.map((c) => section.rows.every((r) => r[c] === undefined || typeof r[c] === 'number'));
  const line = (vals: string[]) => vals.map((v, i) => (numeric[i] ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ').trimEnd();
  const out = [`== ${section.title}`];
  if (columns.length > 0) {
    out.push(line(columns), widths.map((w) => '-'.repeat(w)).join('  '));
    for (const r of cells) out.push(line(r));
  }
  for (const n of section.notes) out.push(`* ${n}`);
  return out.join('\n');
}

export async function writeReport(report: BenchReport, file: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(report, null, 2) + '\n');
}
