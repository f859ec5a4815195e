// How a run is laid out in SQLite and read back into the contract's shapes. Kept apart from the
// store so the list query, the detail read and the import share one mapping.
import type { Db } from '../store/database.js';
import type { EpochMetrics, Rung, RunResult, RunStatus, RunSummary, Strategy, TrainConfig } from '../../contract/index.js';

export interface RunRow {
  id: string;
  name: string;
  pair_id: string | null;
  status: RunStatus;
  strategy: Strategy;
  backbone_id: string;
  dataset_id: string;
  per_class: number | null;
  student_name: string;
  class_session: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  config: string;
  rung: Rung | null;
  device: string | null;
  trainable_params: number | null;
  frozen_params: number | null;
  peak_memory_mb: number | null;
  best_epoch: number | null;
  best_val_acc: number | null;
  final_val_acc: number | null;
  total_seconds: number | null;
  images_per_sec: number | null;
  epochs_done: number;
  batch_stride: number;
  error: string | null;
  notes: string;
  reflection: string | null;
  model_dir: string | null;
  exported_model_path: string | null;
  /** Test score on the run row (NULL for runs recorded before test sets, and until a run completes). */
  test_acc: number | null;
  test_low: number | null;
  test_high: number | null;
  test_n: number | null;
  seed: number | null;
  repeat_id: string | null;
  /** JSON array of tags, added by the queries that read summaries. */
  tags_json?: string;
}

export interface EpochRow {
  epoch: number;
  phase: 'head' | 'fine-tune';
  train_loss: number;
  train_acc: number;
  val_loss: number;
  val_acc: number;
  seconds: number;
  images_per_sec: number;
}

export interface ResultRow {
  classes: string;
  confusion: string;
  per_class_acc: string;
  misclassified: string;
  embedding_cache: RunResult['embeddingCache'];
  notes: string;
  val_n: number | null;
  test_score: string | null;
  stopped: string | null;
}

/** Columns that summaries are read with: the run plus its tags in one JSON array. */
export const SUMMARY_COLUMNS = `r.*, (SELECT json_group_array(tag) FROM (SELECT tag FROM run_tags t WHERE t.run_id = r.id ORDER BY tag)) AS tags_json`;

export function toSummary(row: RunRow): RunSummary {
  return {
    id: row.id,
    name: row.name,
    pairId: row.pair_id,
    status: row.status,
    strategy: row.strategy,
    backboneId: row.backbone_id,
    datasetId: row.dataset_id,
    perClass: row.per_class,
    studentName: row.student_name,
    classSession: row.class_session,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    rung: row.rung,
    bestValAcc: row.best_val_acc,
    finalValAcc: row.final_val_acc,
    testAcc: row.test_acc,
    testLow: row.test_low,
    testHigh: row.test_high,
    testN: row.test_n,
    seed: row.seed ?? (JSON.parse(row.config) as TrainConfig).seed,
    repeatId: row.repeat_id,
    totalSeconds: row.total_seconds,
    epochsDone: row.epochs_done,
    tags: row.tags_json ? (JSON.parse(row.tags_json) as string[]) : [],
    notes: row.notes,
    error: row.error,
  };
}

export function toEpoch(row: EpochRow): EpochMetrics {
  return {
    epoch: row.epoch,
    phase: row.phase,
    trainLoss: row.train_loss,
    trainAcc: row.train_acc,
    valLoss: row.val_loss,
    valAcc: row.val_acc,
    seconds: row.seconds,
    imagesPerSec: row.images_per_sec,
  };
}

/** A result is stored across the run row (the numbers the list sorts on) and run_results (the rest). */
export function toResult(run: RunRow, r: ResultRow): RunResult {
  return {
    rung: run.rung!,
    device: run.device ?? '',
    trainableParams: run.trainable_params ?? 0,
    frozenParams: run.frozen_params ?? 0,
    peakMemoryMB: run.peak_memory_mb ?? 0,
    bestEpoch: run.best_epoch ?? 0,
    bestValAcc: run.best_val_acc ?? 0,
    finalValAcc: run.final_val_acc ?? 0,
    totalSeconds: run.total_seconds ?? 0,
    imagesPerSec: run.images_per_sec ?? 0,
    classes: JSON.parse(r.classes),
    confusion: JSON.parse(r.confusion),
    perClassAcc: JSON.parse(r.per_class_acc),
    misclassified: JSON.parse(r.misclassified),
    embeddingCache: r.embedding_cache,
    notes: JSON.parse(r.notes),
    valN: r.val_n ?? 0,
    test: r.test_score ? JSON.parse(r.test_score) : null,
    stopped: r.stopped ? JSON.parse(r.stopped) : null,
  };
}

/** Tags as the store keeps them: trimmed, no empties, no duplicates, sorted. */
export function normalizeTags(tags: string[]): string[] {
  return [...new Set(tags.map((t) => t.trim()).filter((t) => t.length > 0))].sort();
}

/** Stores a result: the sortable numbers on the run row, the matrices and lists beside it. */
export function writeResult(db: Db, id: string, r: RunResult): void {
  const t = r.test;
  db.prepare(
    `UPDATE runs SET rung = ?, device = ?, trainable_params = ?, frozen_params = ?, peak_memory_mb = ?, best_epoch = ?,
       best_val_acc = ?, final_val_acc = ?, total_seconds = ?, images_per_sec = ?,
       test_acc = ?, test_low = ?, test_high = ?, test_n = ? WHERE id = ?`,
  ).run(r.rung, r.device, r.trainableParams, r.frozenParams, r.peakMemoryMB, r.bestEpoch, r.bestValAcc, r.finalValAcc, r.totalSeconds, r.imagesPerSec,
    t?.accuracy ?? null, t?.low ?? null, t?.high ?? null, t?.n ?? null, id);
  db.prepare(
    `INSERT OR REPLACE INTO run_results (run_id, classes, confusion, per_class_acc, misclassified, embedding_cache, notes, val_n, test_score, stopped)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(id, JSON.stringify(r.classes), JSON.stringify(r.confusion), JSON.stringify(r.perClassAcc), JSON.stringify(r.misclassified), r.embeddingCache, JSON.stringify(r.notes),
    r.valN, t ? JSON.stringify(t) : null, r.stopped ? JSON.stringify(r.stopped) : null);
}
