// Opens the app's SQLite file: WAL, foreign keys on, and all pending migrations applied in one
// transaction (so a failed upgrade leaves the file as it was). A file written by a newer version
// of the app is refused rather than guessed at; a damaged, truncated or unwritable one is refused
// with a message saying what is wrong and what to do, before anything is written to it.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrations as allMigrations } from './migrations/index.js';
import type { Migration } from './migrations/types.js';
import { explainFolderError, explainOpenError, IntegrityCheckError } from './open-errors.js';

export { DatabaseOpenError } from './open-errors.js';

export type Db = Database.Database;

export class DatabaseFromFutureError extends Error {
  constructor(file: string, found: number, known: number) {
    super(
      `The database ${file} was written by a newer version of Transfer Lab (schema ${found}; this version knows up to ${known}). ` +
        'Update Transfer Lab, or choose another data folder. The file was left untouched.',
    );
  }
}

export function openDatabase(file: string, migrations: Migration[] = allMigrations): Db {
  if (file !== ':memory:') {
    try {
      mkdirSync(dirname(file), { recursive: true });
    } catch (e) {
      throw explainFolderError(e, dirname(file), file);
    }
  }
  let db: Db;
  try {
    db = new Database(file);
  } catch (e) {
    throw explainOpenError(e, file);
  }
  try {
    db.pragma('busy_timeout = 5000');
    // Read-only, and first: switching to WAL rewrites the header of a file that is not in WAL yet.
    checkIntegrity(db);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    migrate(db, file, migrations);
    return db;
  } catch (e) {
    db.close();
    throw explainOpenError(e, file);
  }
}

/** A damaged page is reported at start, not at whichever later write happens to touch it. */
function checkIntegrity(db: Db) {
  const finding = db.pragma('quick_check(1)', { simple: true }) as string;
  if (finding !== 'ok') throw new IntegrityCheckError(finding.replace(/^\*\*\* in database main \*\*\*\n/, ''));
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: Db, file: string, migrations: Migration[]) {
  const known = migrations.at(-1)?.version ?? 0;
  const current = schemaVersion(db);
  if (current > known) throw new DatabaseFromFutureError(file, current, known);
  const pending = migrations.filter((m) => m.version > current);
  if (pending.length === 0) return;
  db.transaction(() => {
    for (const m of pending) {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }
  })();
}
