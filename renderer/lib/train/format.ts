// Number and time formatting for the Train view, readable from the back of a room.

const grouped = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });

/** 1234567 → "1,234,567". */
export function formatCount(n: number): string {
  return grouped.format(Math.round(n));
}

/** 1234567 → "1.2 M", for tight spots such as slider ticks. */
export function formatCompact(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(n >= 1e4 ? 0 : 1)} k`;
  return String(Math.round(n));
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 || u === 0 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}

/** 75 → "1 min 15 s"; 3725 → "1 h 2 min". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** 0.9234 → "92.3 %". */
export function formatPercent(fraction: number | null | undefined, digits = 1): string {
  if (fraction == null || !Number.isFinite(fraction)) return '–';
  return `${(fraction * 100).toFixed(digits)} %`;
}

/** Learning rates read best in scientific notation: 0.0001 → "1e-4". */
export function formatRate(lr: number): string {
  if (!Number.isFinite(lr)) return '–';
  if (lr >= 0.01) return String(lr);
  const [mant, exp] = lr.toExponential().split('e');
  const m = Number(mant);
  return `${Number.isInteger(m) ? m : m.toFixed(2).replace(/0+$/, '')}e${Number(exp)}`;
}
