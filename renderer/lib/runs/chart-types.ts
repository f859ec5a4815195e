// What the line chart (components/charts/LineChart.svelte) draws, as plain data.

/** One line: its own x values (epochs, steps) and y values; null leaves a gap. */
export interface ChartSeries {
  label: string;
  /** Shown on hover over the legend entry (e.g. the run's full name); defaults to the label. */
  title?: string;
  color: string;
  dash?: boolean;
  /** Line width in CSS pixels (2.5 unless set). Later series are drawn on top of earlier ones. */
  width?: number;
  x: number[];
  y: (number | null)[];
}

/** A vertical line across the plot at `x`, labelled (e.g. where a fine-tuning run unfreezes). */
export interface ChartMarker {
  x: number;
  label: string;
  color: string;
}
