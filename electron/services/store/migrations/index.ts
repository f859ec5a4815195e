// Every schema change, oldest first. Append only: a shipped migration is never edited.
import { coreMigration } from './001-core.js';
import { runsMigration } from './002-runs.js';
import { testScoresMigration } from './003-test-scores.js';
import { sweepsMigration } from './004-sweeps.js';
import type { Migration } from './types.js';

export const migrations: Migration[] = [coreMigration, runsMigration, testScoresMigration, sweepsMigration];
