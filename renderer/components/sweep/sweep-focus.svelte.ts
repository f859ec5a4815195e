// A request from outside the "Test the flowchart" panel (the guided lesson's step) to show the
// sweep of one data set and bring the panel into view; the panel takes it when it is on screen.
import type { SweepSummary } from '../../../electron/contract/index.js';

class SweepFocus {
  request = $state<{ datasetId: string | null } | null>(null);

  show(datasetId: string | null) {
    this.request = { datasetId };
  }

  take(): { datasetId: string | null } | null {
    const r = this.request;
    this.request = null;
    return r;
  }
}

export const sweepFocus = new SweepFocus();

/** The sweep to show for a data set: the student's newest on it, else its shipped sweep, else none. */
export function sweepForDataset(list: readonly SweepSummary[], datasetId: string | null): string | null {
  if (!datasetId) return null;
  const mine = list.filter((s) => s.source === 'stored' && s.config.datasetId === datasetId).sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
  return mine?.id ?? list.find((s) => s.source === 'shipped' && s.config.datasetId === datasetId)?.id ?? null;
}
