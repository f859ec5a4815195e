// What the training queue needs from the run store: it records each run as it happens, so a crash
// keeps everything up to the last completed epoch.
import type { BatchLoss, EpochMetrics, Rung, RunResult, RunSummary, TrainConfig } from '../../contract/index.js';

export interface RunRecorder {
  createPair(): string;
  createRun(input: { name: string; pairId: string | null; config: TrainConfig; studentName: string; classSession: string; repeatId?: string | null }): RunSummary;
  markStarted(id: string, info: { rung: Rung; device: string; trainableParams: number; frozenParams: number }): void;
  appendEpoch(id: string, m: EpochMetrics): void;
  appendBatches(id: string, b: BatchLoss[]): void;
  complete(id: string, result: RunResult, modelDir: string | null): void;
  finish(id: string, status: 'failed' | 'cancelled' | 'interrupted', error: string | null): void;
  setExportedModel(id: string, path: string): void;
  getConfig(id: string): TrainConfig;
  get(id: string): { status: string; name: string; result: unknown | null };
}
