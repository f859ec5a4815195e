import type { Migration } from './types.js';

/** Settings, and per-student lesson positions and guided-mode state. */
export const coreMigration: Migration = {
  version: 1,
  name: 'core',
  up: (db) => {
    db.exec(`
      CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE lesson_positions (
        student TEXT NOT NULL, lesson_id TEXT NOT NULL, page INTEGER NOT NULL, updated_at TEXT NOT NULL,
        PRIMARY KEY (student, lesson_id)
      );
      CREATE TABLE guided_state (student TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at TEXT NOT NULL);
    `);
  },
};
