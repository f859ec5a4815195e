// Progress reporting for one run: a throttled 'progress' stream (≤ 10 per second) with fraction and
// ETA over the whole run, the per-batch loss curve downsampled to ≤ ~500 points, and peak memory.
import * as tf from '@tensorflow/tfjs';
import { BATCH_CURVE_POINTS, type BatchLoss, type TrainingProgress } from '../../contract/index.js';
import type { FromWorker } from '../../worker-protocol/messages.js';
import { memoryCapExceeded } from './memory-cap-error.js';

export type EmitFn = (message: FromWorker) => void;
type Phase = TrainingProgress['phase'];

const MIN_INTERVAL_MS = 100;
export const MAX_BATCH_POINTS = BATCH_CURVE_POINTS;
const LEAD_SHARE = 0.05;

/** A named stage of the run with its estimated cost (in "image forward passes"). */
export interface Stage { phase: Phase; cost: number }

export class RunProgress {
  private readonly costs = new Map<Phase, number>();
  private total = 0;
  private done = 0;
  private planned = false;
  private current: Phase = 'loading';
  private lastSent = 0;
  private readonly started = Date.now();

  constructor(private readonly runId: string, private readonly emit: EmitFn, stages: Stage[]) {
    this.add(stages);
  }

  private add(stages: Stage[]): void {
    for (const s of stages) this.costs.set(s.phase, (this.costs.get(s.phase) ?? 0) + Math.max(0, s.cost));
    this.total = [...this.costs.values()].reduce((a, b) => a + b, 0) || 1;
  }

  /**
   * Adds the stages known once the data is loaded; what was planned so far (loading, decoding)
   * is rescaled to `leadShare` of the whole run, so the bar never jumps backwards.
   */
  plan(stages: Stage[], leadShare = LEAD_SHARE): void {
    const later = stages.reduce((s, st) => s + Math.max(0, st.cost), 0);
    const scale = later > 0 ? (later * leadShare / (1 - leadShare)) / this.total : 1;
    for (const [k, v] of this.costs) this.costs.set(k, v * scale);
    this.done *= scale;
    this.add(stages);
    this.planned = true;
  }

  /** Enters `phase` (the previous one counts as finished) and always reports it. */
  enter(phase: Phase, message?: string, fields: Partial<TrainingProgress> = {}): void {
    if (phase !== this.current) {
      this.done += this.costs.get(this.current) ?? 0;
      this.costs.set(this.current, 0);
      this.current = phase;
    }
    this.send({ ...fields, message }, 0, true);
  }

  /** Reports progress inside the current phase; `within` is 0..1 of that phase. Throttled. */
  update(within: number, fields: Partial<TrainingProgress> = {}, force = false): void {
    this.send(fields, within, force);
  }

  private send(fields: Partial<TrainingProgress>, within: number, force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastSent < MIN_INTERVAL_MS) return;
    this.lastSent = now;
    const phaseCost = this.costs.get(this.current) ?? 0;
    // Until the run is planned only the lead stages are known; they share the first LEAD_SHARE.
    const scale = this.planned ? 1 : LEAD_SHARE;
    const fraction = Math.min(1, Math.max(0, scale * (this.done + phaseCost * Math.min(1, within)) / this.total));
    const elapsed = (now - this.started) / 1000;
    const etaSeconds = fraction > 0.02 && fraction < 1 ? Math.round(elapsed * (1 - fraction) / fraction) : null;
    const progress: TrainingProgress = {
      runId: this.runId, phase: this.current, epoch: 0, epochs: 0, batch: 0, batches: 0,
      imagesPerSec: null, loss: null, acc: null, ...fields, fraction, etaSeconds,
    };
    if (progress.message === undefined) delete progress.message;
    this.emit({ type: 'progress', progress });
  }
}

/** Keeps the per-batch loss curve to about MAX_BATCH_POINTS points by averaging windows of steps. */
export class BatchRecorder {
  private readonly stride: number;
  private pending: BatchLoss[] = [];
  private sumLoss = 0;
  private sumAcc = 0;
  private count = 0;
  private step = 0;

  constructor(totalSteps: number) {
    this.stride = Math.max(1, Math.ceil(totalSteps / MAX_BATCH_POINTS));
  }

  add(loss: number, acc: number): void {
    this.step++;
    this.sumLoss += loss;
    this.sumAcc += acc;
    if (++this.count >= this.stride) this.close();
  }

  private close(): void {
    if (this.count === 0) return;
    this.pending.push({ step: this.step, loss: this.sumLoss / this.count, acc: this.sumAcc / this.count });
    this.sumLoss = this.sumAcc = this.count = 0;
  }

  /** Points recorded since the last flush; `final` also closes a partial window. */
  flush(final = false): BatchLoss[] {
    if (final) this.close();
    const out = this.pending;
    this.pending = [];
    return out;
  }
}

/** Peak memory seen during a run: tfjs tensor bytes and the whole process's resident set (as
 *  the host measures it; 0 where it cannot). */
export class PeakMemory {
  tensorBytes = 0;
  rssBytes = 0;
  /** `capBytes`: tensor memory a run may not pass (a window's GPU); sample() throws past it. */
  constructor(private readonly rss: () => number = () => 0, private readonly capBytes?: number, readonly name = 'process memory') {}
  sample(): void {
    const bytes = tf.memory().numBytes;
    this.tensorBytes = Math.max(this.tensorBytes, bytes);
    this.rssBytes = Math.max(this.rssBytes, this.rss());
    if (this.capBytes && bytes > this.capBytes) throw memoryCapExceeded(bytes, this.capBytes);
  }
  get peakMB(): number {
    return Math.round(Math.max(this.rssBytes, this.tensorBytes) / 1048576 * 10) / 10;
  }
}

/**
 * Lets queued messages (a 'cancel') in between batches; wasm/cpu kernels otherwise block the loop.
 * Node has setImmediate; a window has not, and its setTimeout(0) is clamped to 4 ms, so there a
 * message to itself does the same.
 */
export const yieldToEventLoop: () => Promise<void> = typeof setImmediate === 'function'
  ? () => new Promise<void>((resolve) => setImmediate(resolve))
  : () => new Promise<void>((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => { channel.port1.close(); resolve(); };
    channel.port2.postMessage(null);
  });
