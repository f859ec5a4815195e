import type { Migration } from './types.js';

/**
 * Test scores beside validation: every run is now scored on test images it never trained on or chose
 * by. The run row gets the headline numbers the history lists and sorts on (test accuracy, its
 * Wilson interval and n), the run's seed and the id shared by runs repeated over seeds; the result
 * row gets the whole test score (confusion, per-image correctness flags) and why training stopped.
 * Runs recorded before keep NULLs there (they had no test set); their seed is read from their config.
 */
export const testScoresMigration: Migration = {
  version: 3,
  name: 'test-scores',
  up: (db) => {
    db.exec(`
      ALTER TABLE runs ADD COLUMN test_acc REAL;
      ALTER TABLE runs ADD COLUMN test_low REAL;
      ALTER TABLE runs ADD COLUMN test_high REAL;
      ALTER TABLE runs ADD COLUMN test_n INTEGER;
      ALTER TABLE runs ADD COLUMN seed INTEGER;
      ALTER TABLE runs ADD COLUMN repeat_id TEXT;
      UPDATE runs SET seed = json_extract(config, '$.seed');
      CREATE INDEX runs_test_acc ON runs(test_acc);
      CREATE INDEX runs_repeat ON runs(repeat_id);

      -- JSON, read whole: the test score (with its packed per-image flags) and the stop reason.
      ALTER TABLE run_results ADD COLUMN val_n INTEGER;
      ALTER TABLE run_results ADD COLUMN test_score TEXT;
      ALTER TABLE run_results ADD COLUMN stopped TEXT;
    `);
  },
};
