import type { Migration } from './types.js';

/**
 * Sweeps: one row per sweep (its resolved config as JSON), and one row per planned run (size, seed,
 * strategy) holding the TrainConfig the pair rule planned for it, so a resume trains exactly that
 * run again, and the id of the run that trains it. A run deleted from the history leaves its slot
 * (run_id NULL) for a resume to fill; a sweep's slots go with it. pair_id has no foreign key: a
 * pair row is deleted with its last run, and a resume makes a new pair when it must.
 */
export const sweepsMigration: Migration = {
  version: 4,
  name: 'sweeps',
  up: (db) => {
    db.exec(`
      CREATE TABLE sweeps (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running','completed','cancelled','failed')),
        config TEXT NOT NULL,
        student_name TEXT NOT NULL DEFAULT '',
        class_session TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        finished_at TEXT,
        error TEXT
      );
      CREATE INDEX sweeps_created ON sweeps(created_at);
      CREATE INDEX sweeps_status ON sweeps(status);

      CREATE TABLE sweep_runs (
        sweep_id TEXT NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
        per_class INTEGER NOT NULL,
        seed INTEGER NOT NULL,
        strategy TEXT NOT NULL CHECK (strategy IN ('feature-extraction','fine-tuning')),
        images INTEGER NOT NULL,
        config TEXT NOT NULL,
        pair_id TEXT,
        run_id TEXT REFERENCES runs(id) ON DELETE SET NULL,
        PRIMARY KEY (sweep_id, per_class, seed, strategy)
      ) WITHOUT ROWID;
      CREATE INDEX sweep_runs_run ON sweep_runs(run_id);
    `);
  },
};
