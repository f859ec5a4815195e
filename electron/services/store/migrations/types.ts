import type { Database } from 'better-sqlite3';

export interface Migration {
  /** 1, 2, 3… in order, no gaps: PRAGMA user_version holds the last one applied. */
  version: number;
  name: string;
  up: (db: Database) => void;
}
