// Every schema change, oldest first. Append only: a shipped migration is never edited.
import { coreMigration } from './001-core.js';
import { runsMigration } from './002-runs.js';
import type { Migration } from './types.js';

export const migrations: Migration[] = [coreMigration, runsMigration];
