// Display helpers shared by the history and compare views.
import { STRATEGY_LABEL, type RunStatus, type Strategy } from '../../../electron/contract/index.js';

export const strategyLabel = STRATEGY_LABEL;
export const strategyShort: Record<Strategy, string> = { 'feature-extraction': 'FE', 'fine-tuning': 'FT' };
export const strategyColor: Record<Strategy, string> = { 'feature-extraction': 'var(--fe)', 'fine-tuning': 'var(--ft)' };

export const statusLabel: Record<RunStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
  interrupted: 'Interrupted',
};

export function pct(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(digits)}%`;
}

export function seconds(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (v < 60) return `${v.toFixed(v < 10 ? 1 : 0)} s`;
  const m = Math.floor(v / 60);
  if (m < 60) return `${m} min ${Math.round(v % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function count(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)} M`;
  if (v >= 1e4) return `${(v / 1e3).toFixed(1)} k`;
  return Math.round(v).toLocaleString('en');
}

export function num(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}

export function dateTime(iso: string | null): string {
  if (!iso) return '–';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Hands a string to the browser as a file download (works in Electron and browser mode). */
export function download(filename: string, content: string): void {
  const type = filename.endsWith('.csv') ? 'text/csv;charset=utf-8' : 'application/json';
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
