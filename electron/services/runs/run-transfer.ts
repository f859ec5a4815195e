// Moving runs between installations: CSV for spreadsheets, and a versioned JSON file that another
// Transfer Lab imports exactly (ids kept, all-or-nothing). A class export carries the class's sweeps
// too, each with its planned runs linked to the runs in the file. A file that is not ours, or is
// damaged, is refused with a message naming what is wrong, before anything is written.
import { z } from 'zod';
import type { Db } from '../store/database.js';
import { RunDetail, Strategy, SweepSummary, TrainConfig, type RunDetail as RunDetailT } from '../../contract/index.js';
import { SweepStore } from '../sweeps/sweep-store.js';
import { normalizeTags, writeResult } from './run-rows.js';

export const EXPORT_FORMAT = 'transfer-lab-runs';
/** 2: runs carry their test score, seed and repeat id. 3: a class export carries its sweeps.
 *  Version 1 and 2 files still import (without what they predate). */
export const EXPORT_VERSION = 3;

/** A run as a file holds it; version 1 runs predate test scores, so those fields may be missing. */
const ImportedRun = RunDetail.extend({
  testAcc: RunDetail.shape.testAcc.default(null),
  testLow: RunDetail.shape.testLow.default(null),
  testHigh: RunDetail.shape.testHigh.default(null),
  testN: RunDetail.shape.testN.default(null),
  repeatId: RunDetail.shape.repeatId.default(null),
  seed: RunDetail.shape.seed.optional(),
}).transform((run): RunDetailT => ({ ...run, seed: run.seed ?? run.config.seed }));

/** A sweep as a class export holds it: the stored sweep and its planned runs (slots). */
const ExportedSweep = SweepSummary.pick({
  id: true, name: true, status: true, config: true, studentName: true, classSession: true, createdAt: true, finishedAt: true, error: true,
}).extend({
  slots: z.array(z.object({
    perClass: z.number().int().nonnegative(),
    seed: z.number().int(),
    strategy: Strategy,
    images: z.number().int().nonnegative(),
    config: TrainConfig,
    pairId: z.string().nullable(),
    runId: z.string().nullable(),
  })),
});
export type ExportedSweep = z.output<typeof ExportedSweep>;

const ExportedFile = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.union([z.literal(1), z.literal(2), z.literal(EXPORT_VERSION)]),
  exportedAt: z.string(),
  classSession: z.string().optional(),
  runs: z.array(ImportedRun),
  sweeps: z.array(ExportedSweep).default([]),
});
export type ExportedFile = z.output<typeof ExportedFile>;
export interface ImportOutcome {
  imported: number;
  skipped: number;
  /** Sweeps of a class export imported, and those skipped because their id was already here. */
  sweeps?: { imported: number; skipped: number };
}

export class ImportError extends Error {}

const stamp = (d = new Date()) => d.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
const slug = (s: string) => s.replace(/[^\w-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'unnamed';

function fileOf(runs: RunDetailT[], classSession?: string, sweeps: ExportedSweep[] = []): ExportedFile {
  return { format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: new Date().toISOString(), ...(classSession !== undefined ? { classSession } : {}), runs, sweeps };
}

export function exportRuns(runs: RunDetailT[], format: 'csv' | 'json'): { filename: string; content: string } {
  const base = `transfer-lab-runs-${stamp()}`;
  if (format === 'csv') return { filename: `${base}.csv`, content: toCsv(runs) };
  return { filename: `${base}.json`, content: JSON.stringify(fileOf(runs), null, 1) };
}

/** Every run of a class session and its sweeps (`db` given: read from it). */
export function exportClass(classSession: string, runs: RunDetailT[], db?: Db): { filename: string; content: string } {
  const sweeps = db ? classSweeps(db, classSession) : [];
  return { filename: `transfer-lab-class-${slug(classSession)}-${stamp()}.json`, content: JSON.stringify(fileOf(runs, classSession, sweeps), null, 1) };
}

function classSweeps(db: Db, classSession: string): ExportedSweep[] {
  const store = new SweepStore(db);
  return store.forClass(classSession).map((sweep) => ({
    ...sweep,
    slots: store.runs(sweep.id).map(({ perClass, seed, strategy, images, config, pairId, runId }) => ({ perClass, seed, strategy, images, config, pairId, runId })),
  }));
}

// ---------------------------------------------------------------------------------------------
// CSV: one row per run, the numbers a lecturer compares plus the settings that explain them.
// ---------------------------------------------------------------------------------------------
const CSV_COLUMNS: [string, (r: RunDetailT) => string | number | boolean | null][] = [
  ['id', (r) => r.id],
  ['name', (r) => r.name],
  ['pair', (r) => r.pairId],
  ['status', (r) => r.status],
  ['strategy', (r) => r.strategy],
  ['backbone', (r) => r.backboneId],
  ['dataset', (r) => r.datasetId],
  ['per_class', (r) => r.perClass],
  ['student', (r) => r.studentName],
  ['class_session', (r) => r.classSession],
  ['created_at', (r) => r.createdAt],
  ['finished_at', (r) => r.finishedAt],
  ['rung', (r) => r.rung],
  ['epochs_done', (r) => r.epochsDone],
  // The headline: accuracy on test images the run never trained on or chose by, with its interval.
  ['test_acc', (r) => r.testAcc],
  ['test_acc_low_95', (r) => r.testLow],
  ['test_acc_high_95', (r) => r.testHigh],
  ['test_n', (r) => r.testN],
  ['test_set', (r) => r.result?.test?.setId ?? null],
  // What the run optimised: the validation images chose its best epoch.
  ['best_val_acc', (r) => r.bestValAcc],
  ['final_val_acc', (r) => r.finalValAcc],
  ['val_n', (r) => r.result?.valN || null],
  ['best_epoch', (r) => r.result?.bestEpoch ?? null],
  ['stop_reason', (r) => r.result?.stopped?.kind ?? null],
  ['stop_epoch', (r) => r.result?.stopped?.epoch ?? null],
  ['epoch_cap', (r) => r.result?.stopped?.cap ?? null],
  ['total_seconds', (r) => r.totalSeconds],
  ['seconds_per_epoch', (r) => (r.totalSeconds !== null && r.epochsDone > 0 ? r.totalSeconds / r.epochsDone : null)],
  ['images_per_sec', (r) => r.result?.imagesPerSec ?? null],
  ['trainable_params', (r) => r.result?.trainableParams ?? null],
  ['frozen_params', (r) => r.result?.frozenParams ?? null],
  ['peak_memory_mb', (r) => r.result?.peakMemoryMB ?? null],
  ['epochs', (r) => r.config.epochs],
  ['batch_size', (r) => r.config.batchSize],
  ['learning_rate', (r) => r.config.learningRate],
  ['optimizer', (r) => r.config.optimizer],
  ['seed', (r) => r.seed],
  ['repeat_id', (r) => r.repeatId],
  ['unfreeze_blocks', (r) => r.config.unfreezeBlocks],
  ['two_phase', (r) => r.config.twoPhase],
  ['unfrozen_batchnorm', (r) => r.config.unfrozenBatchNorm],
  ['augment', (r) => r.config.augment],
  ['tags', (r) => r.tags.join('; ')],
  ['notes', (r) => r.notes],
  ['error', (r) => r.error],
];

function csvCell(v: string | number | boolean | null): string {
  if (v === null) return '';
  if (typeof v !== 'string') return String(v);
  // A text cell starting with = + - @ would run as a formula in a spreadsheet: keep it text.
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(runs: RunDetailT[]): string {
  const lines = [CSV_COLUMNS.map(([h]) => h).join(',')];
  for (const r of runs) lines.push(CSV_COLUMNS.map(([, get]) => csvCell(get(r))).join(','));
  return lines.join('\r\n') + '\r\n';
}

// ---------------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------------
function describe(issue: z.core.$ZodIssue): string {
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  return `${path || '(file)'}: ${issue.message}`;
}

/** Parses and checks an export file; throws ImportError saying exactly what is wrong. */
export function parseExport(text: string): ExportedFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ImportError(`This file is not a Transfer Lab export: it is not valid JSON (${(e as Error).message}).`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ImportError('This file is not a Transfer Lab export: expected a JSON object with "format", "version" and "runs".');
  }
  const head = data as Record<string, unknown>;
  if (head.format !== EXPORT_FORMAT) {
    throw new ImportError(`This file is not a Transfer Lab run export: its format is ${JSON.stringify(head.format ?? null)}, expected "${EXPORT_FORMAT}".`);
  }
  if (typeof head.version === 'number' && head.version > EXPORT_VERSION) {
    throw new ImportError(`This export was made by a newer Transfer Lab (file version ${head.version}; this one reads version ${EXPORT_VERSION}). Update Transfer Lab to import it.`);
  }
  const parsed = ExportedFile.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
    throw new ImportError(`The export file is damaged or incomplete: ${describe(issues[0])}${more}. Nothing was imported.`);
  }
  const seenSweeps = new Set<string>();
  parsed.data.sweeps.forEach((sweep, i) => {
    if (seenSweeps.has(sweep.id)) throw new ImportError(`The export file lists sweep ${sweep.id} twice (sweeps[${i}]). Nothing was imported.`);
    seenSweeps.add(sweep.id);
  });
  const seen = new Set<string>();
  parsed.data.runs.forEach((run, i) => {
    if (seen.has(run.id)) throw new ImportError(`The export file lists run ${run.id} twice (runs[${i}]). Nothing was imported.`);
    seen.add(run.id);
    const r = run.result;
    if (r && (r.confusion.length !== r.classes.length || r.confusion.some((row) => row.length !== r.classes.length))) {
      throw new ImportError(`runs[${i}].result.confusion is not ${r.classes.length}×${r.classes.length} like its classes. Nothing was imported.`);
    }
  });
  return parsed.data;
}

/** Imports all runs of a file in one transaction; ids already present are skipped and counted. */
export function importRuns(db: Db, text: string, exists: (id: string) => boolean): ImportOutcome {
  const file = parseExport(text);
  return db.transaction(() => {
    let imported = 0;
    let skipped = 0;
    for (const run of file.runs) {
      if (exists(run.id)) {
        skipped++;
        continue;
      }
      insertRun(db, run);
      imported++;
    }
    return { imported, skipped, ...(file.sweeps.length > 0 ? { sweeps: importSweeps(db, file, exists) } : {}) };
  })();
}

/**
 * A class export's sweeps, after its runs: each slot keeps its run where that run is here now (the
 * file's or already present), else it is left for a resume to train. A sweep that was still running
 * where it was exported stops here as cancelled: nothing trains until someone resumes it.
 */
function importSweeps(db: Db, file: ExportedFile, runExists: (id: string) => boolean): { imported: number; skipped: number } {
  const store = new SweepStore(db);
  let imported = 0;
  let skipped = 0;
  for (const { slots, ...sweep } of file.sweeps) {
    if (store.exists(sweep.id)) {
      skipped++;
      continue;
    }
    const running = sweep.status === 'running';
    store.insert(
      running
        ? { ...sweep, status: 'cancelled', finishedAt: sweep.finishedAt ?? file.exportedAt, error: 'Imported while it was still running in another installation. Resume trains the runs that did not finish; the finished runs are kept.' }
        : sweep,
      slots.map((slot) => ({ ...slot, runId: slot.runId && runExists(slot.runId) ? slot.runId : null })),
    );
    imported++;
  }
  return { imported, skipped };
}

function insertRun(db: Db, run: RunDetailT): void {
  if (run.pairId) db.prepare('INSERT OR IGNORE INTO pairs (id, created_at) VALUES (?, ?)').run(run.pairId, run.createdAt);
  // A run that was still training where it was exported cannot be running here.
  const unfinished = run.status === 'running' || run.status === 'queued';
  const status = unfinished ? 'interrupted' : run.status;
  const error = unfinished ? 'Imported while it was still training in another installation.' : run.error;
  db.prepare(
    `INSERT INTO runs (id, name, pair_id, status, strategy, backbone_id, dataset_id, per_class, student_name, class_session,
       created_at, started_at, finished_at, config, rung, best_val_acc, final_val_acc, total_seconds, epochs_done, error, notes,
       reflection, exported_model_path, test_acc, test_low, test_high, test_n, seed, repeat_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    run.id, run.name, run.pairId, status, run.strategy, run.backboneId, run.datasetId, run.perClass, run.studentName, run.classSession,
    run.createdAt, run.startedAt, run.finishedAt, JSON.stringify(run.config), run.rung, run.bestValAcc, run.finalValAcc, run.totalSeconds,
    run.epochs.length, error, run.notes, run.reflection, run.exportedModelPath,
    run.testAcc, run.testLow, run.testHigh, run.testN, run.seed, run.repeatId,
  );
  const epoch = db.prepare(
    `INSERT INTO run_epochs (run_id, seq, epoch, phase, train_loss, train_acc, val_loss, val_acc, seconds, images_per_sec) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  run.epochs.forEach((m, seq) => epoch.run(run.id, seq, m.epoch, m.phase, m.trainLoss, m.trainAcc, m.valLoss, m.valAcc, m.seconds, m.imagesPerSec));
  const batch = db.prepare('INSERT OR REPLACE INTO run_batches (run_id, step, loss, acc) VALUES (?, ?, ?, ?)');
  for (const b of run.batches) batch.run(run.id, b.step, b.loss, b.acc);
  const tag = db.prepare('INSERT OR IGNORE INTO run_tags (run_id, tag) VALUES (?, ?)');
  for (const t of normalizeTags(run.tags)) tag.run(run.id, t);
  if (run.result) writeResult(db, run.id, run.result);
}
