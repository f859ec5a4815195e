// Puts several series that were sampled at different x values onto one shared, sorted x axis, as uPlot
// needs; a series has null wherever it has no point of its own, so lines simply skip those x values.
export interface XYSeries {
  x: number[];
  y: (number | null)[];
}

export function alignSeries(series: XYSeries[]): [number[], ...(number | null)[][]] {
  const xs = new Set<number>();
  for (const s of series) for (const x of s.x) if (Number.isFinite(x)) xs.add(x);
  const axis = [...xs].sort((a, b) => a - b);
  const slot = new Map(axis.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const out: (number | null)[] = new Array(axis.length).fill(null);
    const n = Math.min(s.x.length, s.y.length);
    for (let i = 0; i < n; i++) {
      const v = s.y[i];
      const at = slot.get(s.x[i]);
      if (at !== undefined) out[at] = v === null || !Number.isFinite(v) ? null : v;
    }
    return out;
  });
  return [axis, ...ys];
}

/** Resolves `var(--fe)`-style colours against an element, since a canvas cannot read CSS variables. */
export function resolveColor(color: string, el: Element): string {
  const m = /^var\((--[\w-]+)\)$/.exec(color.trim());
  if (!m) return color;
  const v = getComputedStyle(el).getPropertyValue(m[1]).trim();
  return v || '#888';
}
