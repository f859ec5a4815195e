import type { Migration } from './types.js';

/**
 * Run history: one row per run (the columns the history list filters and sorts on, plus the full
 * config as JSON), its epochs and downsampled batch losses, its evaluation result, tags, and the
 * pairs that link a feature-extraction run to its fine-tuning twin. Children go with their run.
 */
export const runsMigration: Migration = {
  version: 2,
  name: 'runs',
  up: (db) => {
    db.exec(`
      CREATE TABLE pairs (id TEXT PRIMARY KEY, created_at TEXT NOT NULL);

      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        pair_id TEXT REFERENCES pairs(id) ON DELETE SET NULL,
        status TEXT NOT NULL CHECK (status IN ('queued','running','completed','failed','cancelled','interrupted')),
        strategy TEXT NOT NULL CHECK (strategy IN ('feature-extraction','fine-tuning')),
        backbone_id TEXT NOT NULL,
        dataset_id TEXT NOT NULL,
        per_class INTEGER,
        student_name TEXT NOT NULL DEFAULT '',
        class_session TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        config TEXT NOT NULL,
        rung TEXT,
        device TEXT,
        trainable_params INTEGER,
        frozen_params INTEGER,
        peak_memory_mb REAL,
        best_epoch INTEGER,
        best_val_acc REAL,
        final_val_acc REAL,
        total_seconds REAL,
        images_per_sec REAL,
        epochs_done INTEGER NOT NULL DEFAULT 0,
        batch_stride INTEGER NOT NULL DEFAULT 1,
        error TEXT,
        notes TEXT NOT NULL DEFAULT '',
        reflection TEXT,
        model_dir TEXT,
        exported_model_path TEXT
      );
      CREATE INDEX runs_created ON runs(created_at);
      CREATE INDEX runs_status_created ON runs(status, created_at);
      CREATE INDEX runs_strategy_created ON runs(strategy, created_at);
      CREATE INDEX runs_dataset_created ON runs(dataset_id, created_at);
      CREATE INDEX runs_student_created ON runs(student_name COLLATE NOCASE, created_at);
      CREATE INDEX runs_session ON runs(class_session);
      CREATE INDEX runs_pair ON runs(pair_id);
      CREATE INDEX runs_best_val_acc ON runs(best_val_acc);

      -- seq orders epochs within a run (epoch numbers restart when a two-phase run unfreezes).
      CREATE TABLE run_epochs (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        epoch INTEGER NOT NULL,
        phase TEXT NOT NULL,
        train_loss REAL NOT NULL,
        train_acc REAL NOT NULL,
        val_loss REAL NOT NULL,
        val_acc REAL NOT NULL,
        seconds REAL NOT NULL,
        images_per_sec REAL NOT NULL,
        PRIMARY KEY (run_id, seq)
      ) WITHOUT ROWID;

      CREATE TABLE run_batches (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step INTEGER NOT NULL,
        loss REAL NOT NULL,
        acc REAL NOT NULL,
        PRIMARY KEY (run_id, step)
      ) WITHOUT ROWID;

      -- Matrices and lists are read whole and never queried inside, so they are JSON.
      CREATE TABLE run_results (
        run_id TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
        classes TEXT NOT NULL,
        confusion TEXT NOT NULL,
        per_class_acc TEXT NOT NULL,
        misclassified TEXT NOT NULL,
        embedding_cache TEXT NOT NULL,
        notes TEXT NOT NULL
      );

      CREATE TABLE run_tags (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (run_id, tag)
      ) WITHOUT ROWID;
      CREATE INDEX run_tags_tag ON run_tags(tag);
    `);
  },
};
