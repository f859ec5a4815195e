import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatabaseFromFutureError, openDatabase, schemaVersion } from './database.js';
import { migrations } from './migrations/index.js';

const tempFile = () => join(mkdtempSync(join(tmpdir(), 'tl-db-')), 'app.sqlite');

describe('database', () => {
  it('creates a fresh file at the newest schema, with WAL and foreign keys', () => {
    const db = openDatabase(tempFile());
    expect(schemaVersion(db)).toBe(migrations.at(-1)!.version);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('refuses a database from a newer version and leaves it untouched', () => {
    const file = tempFile();
    const raw = new Database(file);
    raw.exec('CREATE TABLE precious (x)');
    raw.pragma('user_version = 999');
    raw.close();
    expect(() => openDatabase(file)).toThrow(DatabaseFromFutureError);
    expect(() => openDatabase(file)).toThrow(/newer version of Transfer Lab \(schema 999/);
    const again = new Database(file);
    expect(again.pragma('user_version', { simple: true })).toBe(999);
    again.close();
  });

  it('applies pending migrations in one transaction: a failing one leaves the file as it was', () => {
    const file = tempFile();
    openDatabase(file, migrations.slice(0, 1)).close();
    const broken = [...migrations.slice(0, 1), { version: 2, name: 'ok', up: (db: Database.Database) => db.exec('CREATE TABLE t2 (x)') }, { version: 3, name: 'bad', up: () => { throw new Error('bad migration'); } }];
    expect(() => openDatabase(file, broken)).toThrow('bad migration');
    const db = new Database(file);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 't2'").get()).toEqual({ n: 0 });
    db.close();
  });

  it('is idempotent on reopen', () => {
    const file = tempFile();
    openDatabase(file).close();
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(migrations.at(-1)!.version);
    db.close();
  });
});
