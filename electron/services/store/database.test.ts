import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DatabaseFromFutureError, DatabaseOpenError, openDatabase, schemaVersion } from './database.js';
import { migrations } from './migrations/index.js';
import { damageMiddlePage, overwriteHeader, truncateToHalf, writeDatabaseWithRows } from './testing/damaged-files.js';

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

/** Opening must fail with a message naming the file, the problem and a way out, and change nothing on disk. */
function expectRefusedUntouched(file: string, problem: RegExp) {
  const bytes = readFileSync(file);
  const folder = readdirSync(dirname(file));
  let error: unknown;
  try {
    openDatabase(file).close();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(DatabaseOpenError);
  const message = (error as Error).message;
  expect(message).toContain(file);
  expect(message).toMatch(problem);
  expect(message).toMatch(/Move it aside .* or choose another data folder/);
  expect(message).toContain('The file was left untouched.');
  expect(readFileSync(file).equals(bytes)).toBe(true);
  expect(readdirSync(dirname(file))).toEqual(folder);
}

describe('database files that cannot be opened', () => {
  it('a truncated file: says it is truncated, by how much, and leaves it as it was', () => {
    const file = tempFile();
    writeDatabaseWithRows(file);
    truncateToHalf(file);
    expectRefusedUntouched(file, /is truncated \(it holds \d+ bytes of the \d+ its header records/);
  });

  it('a file whose header was overwritten: says so, and leaves it as it was', () => {
    const file = tempFile();
    writeDatabaseWithRows(file);
    overwriteHeader(file);
    expectRefusedUntouched(file, /does not start with a SQLite header/);
  });

  it('a damaged inner page is found by the integrity check at open, not at the next write', () => {
    const file = tempFile();
    writeDatabaseWithRows(file);
    damageMiddlePage(file);
    expectRefusedUntouched(file, /is damaged \(the integrity check found "Tree \d+ page \d+/);
  });

  // Windows folders have no read-only mode bit to set here.
  it.skipIf(process.platform === 'win32')('a read-only data folder: names the folder, for an existing file, a new one and a folder to create', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-db-ro-'));
    const existing = join(dir, 'app.sqlite');
    openDatabase(existing).close();
    chmodSync(existing, 0o666); // only the folder is read-only
    const bytes = readFileSync(existing);
    chmodSync(dir, 0o555);
    try {
      // Root may write anywhere, so there the files are opened by a process running as "nobody".
      const user = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
      const script = fileURLToPath(new URL('./testing/open-database.ts', import.meta.url));
      const files = [existing, join(dir, 'fresh.sqlite'), join(dir, 'missing', 'app.sqlite')];
      const child = spawnSync(process.execPath, ['--import', 'tsx', script, ...files], { encoding: 'utf8', ...user });
      expect(child.status, child.stderr).toBe(0);
      const results = child.stdout.trim().split('\n').map((line) => JSON.parse(line));
      expect(results.map((r) => r.name)).toEqual(['DatabaseOpenError', 'DatabaseOpenError', 'DatabaseOpenError']);
      expect(results[0].message).toContain(`Transfer Lab cannot open its database ${existing}: the data folder ${dir} is read-only.`);
      expect(results[1].message).toContain(`Transfer Lab cannot open its database ${files[1]}: the data folder ${dir} is read-only.`);
      expect(results[2].message).toContain(`Transfer Lab cannot create its data folder ${join(dir, 'missing')}: permission denied.`);
      for (const r of results) expect(r.message).toMatch(/Make the folder writable, or choose another data folder\./);
      expect(readFileSync(existing).equals(bytes)).toBe(true);
      expect(readdirSync(dir)).toEqual(['app.sqlite']);
    } finally {
      chmodSync(dir, 0o755);
    }
  });
});
