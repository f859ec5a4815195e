// The Flowchart view's sweeps: the stored and shipped ones, the one on show (the newest stored by
// default, so a reload shows the same sweep), and live progress from the sweeps.progress event.
import type { SweepDetail, SweepProgress, SweepSummary } from '../../../electron/contract/index.js';
import { api, errorMessage } from '../../lib/api.js';

export class SweepState {
  list = $state<SweepSummary[]>([]);
  selectedId = $state<string | null>(null);
  detail = $state<SweepDetail | null>(null);
  error = $state<string | null>(null);
  private off: Array<() => void> = [];

  async load(preferId?: string | null) {
    try {
      this.list = await api.call('sweeps.list', {});
      const id = preferId ?? this.selectedId ?? this.list.find((s) => s.source === 'stored')?.id ?? this.list[0]?.id ?? null;
      if (id) await this.select(id);
      this.error = null;
    } catch (e) {
      this.error = errorMessage(e);
    }
  }

  async select(id: string) {
    this.selectedId = id;
    try {
      const detail = await api.call('sweeps.get', { id });
      if (this.selectedId === id) this.detail = detail;
      this.error = null;
    } catch (e) {
      this.error = errorMessage(e);
    }
  }

  /** Follows progress: the sweep on show is read again after each of its runs settles. */
  listen() {
    this.off.push(api.on('sweeps.progress', (p: SweepProgress) => {
      this.list = this.list.map((s) => (s.id === p.sweepId ? { ...s, status: p.status, done: p.done, total: p.total, failed: p.failed, etaSeconds: p.etaSeconds } : s));
      if (p.sweepId === this.selectedId) {
        if (this.detail) this.detail = { ...this.detail, status: p.status, done: p.done, total: p.total, failed: p.failed, etaSeconds: p.etaSeconds };
        void this.select(p.sweepId);
      }
    }));
    return () => this.stop();
  }

  stop() {
    for (const off of this.off) off();
    this.off = [];
  }

  async act(method: 'sweeps.cancel' | 'sweeps.resume', id: string) {
    try {
      await api.call(method, { id });
      await this.load(id);
    } catch (e) {
      this.error = errorMessage(e);
    }
  }

  async remove(id: string) {
    try {
      await api.call('sweeps.delete', { id, withRuns: false });
      this.selectedId = null;
      this.detail = null;
      await this.load();
    } catch (e) {
      this.error = errorMessage(e);
    }
  }
}
