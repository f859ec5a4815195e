// The run history. Every write is one transaction and happens while a run trains (start, each
// epoch, batches, result), so a crash loses at most the epoch in progress.
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/database.js';
import { NotFoundError } from '../dispatcher.js';
import {
  BATCH_CURVE_POINTS, type BatchLoss, type EpochMetrics, type Rung, type RunDetail, type RunFilter, type RunResult, type RunSummary, type TrainConfig,
} from '../../contract/index.js';
import { removeRunFolder, removeUnownedRunFolders, runArtifactFolder } from './run-artifacts.js';
import { SUMMARY_COLUMNS, normalizeTags, toEpoch, toResult, toSummary, writeResult, type EpochRow, type ResultRow, type RunRow } from './run-rows.js';
import { countRuns, listRuns } from './run-query.js';
import { exportClass, exportRuns, importRuns, type ExportedFile, type ImportOutcome } from './run-transfer.js';

/** Per-batch losses kept per run; beyond it every other point is dropped (the stride doubles). */
/** The store keeps no more batch points than the engine sends (one owner: the contract). */
export const MAX_BATCH_POINTS = BATCH_CURVE_POINTS;

export interface NewRun {
  name: string;
  pairId: string | null;
  config: TrainConfig;
  studentName: string;
  classSession: string;
  /** Shared by the runs of one request repeated over several seeds. */
  repeatId?: string | null;
}

export interface RunPatch {
  name?: string;
  notes?: string;
  tags?: string[];
  reflection?: string;
}

const now = () => new Date().toISOString();

export class RunStore {
  private statements = new Map<string, Statement>();
  /** `artifactRoot`: where runs save their files (see run-artifacts.ts); without it no file is touched. */
  constructor(readonly db: Db, private readonly artifactRoot: string | null = null) {}

  /** Prepared once per store: the training loop writes the same few statements many times. */
  private sql(text: string): Statement {
    let s = this.statements.get(text);
    if (!s) this.statements.set(text, (s = this.db.prepare(text)));
    return s;
  }

  createPair(): string {
    const id = randomUUID();
    this.sql('INSERT INTO pairs (id, created_at) VALUES (?, ?)').run(id, now());
    return id;
  }

  createRun(input: NewRun): RunSummary {
    const id = randomUUID();
    const c = input.config;
    this.sql(
        `INSERT INTO runs (id, name, pair_id, status, strategy, backbone_id, dataset_id, per_class, student_name, class_session, created_at, config, seed, repeat_id)
         VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, input.name, input.pairId, c.strategy, c.backboneId, c.dataset.id, c.dataset.perClass, input.studentName, input.classSession, now(), JSON.stringify(c), c.seed, input.repeatId ?? null);
    return this.summary(id);
  }

  markStarted(id: string, info: { rung: Rung; device: string; trainableParams: number; frozenParams: number }): void {
    this.write(id, () =>
      this
        .sql(`UPDATE runs SET status = 'running', started_at = ?, rung = ?, device = ?, trainable_params = ?, frozen_params = ? WHERE id = ?`)
        .run(now(), info.rung, info.device, info.trainableParams, info.frozenParams, id),
    );
  }

  appendEpoch(id: string, m: EpochMetrics): void {
    this.write(id, () => {
      const seq = (this.sql('SELECT epochs_done AS n FROM runs WHERE id = ?').get(id) as { n: number }).n;
      this
        .sql(
          `INSERT INTO run_epochs (run_id, seq, epoch, phase, train_loss, train_acc, val_loss, val_acc, seconds, images_per_sec)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(id, seq, m.epoch, m.phase, m.trainLoss, m.trainAcc, m.valLoss, m.valAcc, m.seconds, m.imagesPerSec);
      // Running figures, so an interrupted run still shows how far it got; complete() replaces them.
      return this
        .sql(
          `UPDATE runs SET epochs_done = epochs_done + 1,
             best_epoch = CASE WHEN best_val_acc IS NULL OR ? > best_val_acc THEN ? ELSE best_epoch END,
             best_val_acc = CASE WHEN best_val_acc IS NULL OR ? > best_val_acc THEN ? ELSE best_val_acc END,
             final_val_acc = ?, total_seconds = COALESCE(total_seconds, 0) + ?, images_per_sec = ?
           WHERE id = ?`,
        )
        .run(m.valAcc, m.epoch, m.valAcc, m.valAcc, m.valAcc, m.seconds, m.imagesPerSec, id);
    });
  }

  appendBatches(id: string, batches: BatchLoss[]): void {
    if (batches.length === 0) return;
    this.write(id, () => {
      let stride = (this.sql('SELECT batch_stride AS s FROM runs WHERE id = ?').get(id) as { s: number }).s;
      const insert = this.sql('INSERT OR REPLACE INTO run_batches (run_id, step, loss, acc) VALUES (?, ?, ?, ?)');
      for (const b of batches) if (b.step % stride === 0) insert.run(id, b.step, b.loss, b.acc);
      const count = this.sql('SELECT count(*) AS n FROM run_batches WHERE run_id = ?').pluck();
      let n = count.get(id) as number;
      while (n > MAX_BATCH_POINTS) {
        stride *= 2;
        this.sql('DELETE FROM run_batches WHERE run_id = ? AND step % ? != 0').run(id, stride);
        n = count.get(id) as number;
      }
      return this.sql('UPDATE runs SET batch_stride = ? WHERE id = ?').run(stride, id);
    });
  }

  complete(id: string, result: RunResult, modelDir: string | null): void {
    this.write(id, () => {
      writeResult(this.db, id, result);
      return this.sql(`UPDATE runs SET status = 'completed', finished_at = ?, error = NULL, model_dir = ? WHERE id = ?`).run(now(), modelDir, id);
    });
  }

  finish(id: string, status: 'failed' | 'cancelled' | 'interrupted', error: string | null): void {
    this.write(id, () => this.sql('UPDATE runs SET status = ?, error = ?, finished_at = ? WHERE id = ?').run(status, error, now(), id));
  }

  /** Runs an earlier session left queued or running can never finish: say so, keep what they recorded. */
  markInterruptedOnStartup(): number {
    return this.db.transaction(() => {
      const at = now();
      const running = this
        .sql(`UPDATE runs SET status = 'interrupted', finished_at = ?, error = ? WHERE status = 'running'`)
        .run(at, 'Transfer Lab stopped while this run was training. Its completed epochs were kept; re-run it to finish.').changes;
      const queued = this
        .sql(`UPDATE runs SET status = 'interrupted', finished_at = ?, error = ? WHERE status = 'queued'`)
        .run(at, 'Transfer Lab stopped before this queued run could start. Re-run it to train.').changes;
      return running + queued;
    })();
  }

  setExportedModel(id: string, path: string): void {
    this.write(id, () => this.sql('UPDATE runs SET exported_model_path = ? WHERE id = ?').run(path, id));
  }

  getConfig(id: string): TrainConfig {
    return JSON.parse(this.row(id).config) as TrainConfig;
  }

  /** Where the trained model was saved by complete(), for exporting it later. */
  getModelDir(id: string): string | null {
    return this.row(id).model_dir;
  }

  get(id: string): RunDetail {
    const row = this.row(id);
    const epochs = (this.sql('SELECT * FROM run_epochs WHERE run_id = ? ORDER BY seq').all(id) as EpochRow[]).map(toEpoch);
    const batches = this.sql('SELECT step, loss, acc FROM run_batches WHERE run_id = ? ORDER BY step').all(id) as BatchLoss[];
    const result = this.sql('SELECT * FROM run_results WHERE run_id = ?').get(id) as ResultRow | undefined;
    return {
      ...toSummary(row),
      config: JSON.parse(row.config) as TrainConfig,
      epochs,
      batches,
      result: result ? toResult(row, result) : null,
      exportedModelPath: row.exported_model_path,
      reflection: row.reflection,
    };
  }

  list(filter: RunFilter): { runs: RunSummary[]; total: number } {
    return { runs: listRuns(this.db, filter), total: countRuns(this.db, filter) };
  }

  update(id: string, patch: RunPatch): RunSummary {
    this.write(id, () => {
      if (patch.name !== undefined) {
        const name = patch.name.trim();
        if (!name) throw new Error('A run needs a name; the new name was empty.');
        this.sql('UPDATE runs SET name = ? WHERE id = ?').run(name, id);
      }
      if (patch.notes !== undefined) this.sql('UPDATE runs SET notes = ? WHERE id = ?').run(patch.notes, id);
      if (patch.reflection !== undefined) this.sql('UPDATE runs SET reflection = ? WHERE id = ?').run(patch.reflection, id);
      if (patch.tags !== undefined) {
        this.sql('DELETE FROM run_tags WHERE run_id = ?').run(id);
        const add = this.sql('INSERT INTO run_tags (run_id, tag) VALUES (?, ?)');
        for (const tag of normalizeTags(patch.tags)) add.run(id, tag);
      }
    });
    return this.summary(id);
  }

  /** Deletes runs with everything recorded for them, their files on disk, and pairs left without runs. */
  delete(ids: string[]): number {
    const folders: string[] = [];
    const deleted = this.db.transaction(() => {
      const modelDir = this.sql('SELECT model_dir FROM runs WHERE id = ?').pluck();
      const del = this.sql('DELETE FROM runs WHERE id = ?');
      let n = 0;
      for (const id of new Set(ids)) {
        const folder = this.artifactRoot ? runArtifactFolder(this.artifactRoot, (modelDir.get(id) as string | null | undefined) ?? null) : null;
        const changes = del.run(id).changes;
        n += changes;
        if (changes && folder) folders.push(folder);
      }
      this.sql('DELETE FROM pairs WHERE NOT EXISTS (SELECT 1 FROM runs WHERE runs.pair_id = pairs.id)').run();
      return n;
    })();
    // Only once the rows are gone: a folder that cannot be removed now is swept at the next start.
    for (const folder of folders) removeRunFolder(this.artifactRoot!, folder);
    return deleted;
  }

  /**
   * At start: removes run folders no run owns (a run deleted while it trained, a removal that failed).
   * A run's folder is kept by its recorded model_dir, or by its id while it has none yet (still training).
   */
  removeOrphanArtifacts(): number {
    const root = this.artifactRoot;
    if (!root) return 0;
    const owned = new Set<string>();
    for (const r of this.sql('SELECT id, model_dir FROM runs').all() as { id: string; model_dir: string | null }[]) {
      owned.add(resolve(root, r.id));
      const folder = runArtifactFolder(root, r.model_dir);
      if (folder) owned.add(folder);
    }
    return removeUnownedRunFolders(root, owned);
  }

  exportRuns(ids: string[], format: 'csv' | 'json'): { filename: string; content: string } {
    const missing = ids.filter((id) => !this.exists(id));
    if (missing.length > 0) throw new NotFoundError(`Cannot export: no run with id ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` (and ${missing.length - 3} more)` : ''}.`);
    return exportRuns([...new Set(ids)].map((id) => this.get(id)), format);
  }

  exportClass(classSession: string): { filename: string; content: string } {
    const ids = this.sql('SELECT id FROM runs WHERE class_session = ? ORDER BY created_at, id').pluck().all(classSession) as string[];
    if (ids.length === 0) throw new NotFoundError(`No runs were recorded for the class session "${classSession}".`);
    return exportClass(classSession, ids.map((id) => this.get(id)), this.db);
  }

  /** Imports an export file all-or-nothing; runs whose id is already here are skipped and counted. */
  importJson(text: string): ImportOutcome {
    return importRuns(this.db, text, (id) => this.exists(id));
  }

  private exists(id: string): boolean {
    return this.sql('SELECT 1 FROM runs WHERE id = ?').get(id) !== undefined;
  }

  private row(id: string): RunRow {
    const row = this.sql(`SELECT ${SUMMARY_COLUMNS} FROM runs r WHERE r.id = ?`).get(id) as RunRow | undefined;
    if (!row) throw new NotFoundError(`No run with id ${id}. It may have been deleted.`);
    return row;
  }

  private summary(id: string): RunSummary {
    return toSummary(this.row(id));
  }

  /** One transaction that must touch the run: an unknown id is an error, not a silent no-op. */
  private write(id: string, fn: () => unknown): void {
    this.db.transaction(() => {
      if (!this.exists(id)) throw new NotFoundError(`No run with id ${id}. It may have been deleted.`);
      fn();
    })();
  }
}

export type { ExportedFile, ImportOutcome };
