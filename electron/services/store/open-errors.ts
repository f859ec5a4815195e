// Why the database could not be opened, in words a student can act on: which file, what is wrong
// with it and what to do. SQLite's own text ("file is not a database") names neither.
import { accessSync, closeSync, constants, existsSync, openSync, readSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';

const DAMAGED_FILE_REMEDY = (file: string) =>
  `Move it aside (rename it, e.g. to ${basename(file)}.damaged) to start again with an empty run history, or choose another data folder.`;
const READ_ONLY_REMEDY = 'Make the folder writable, or choose another data folder.';
const UNTOUCHED = 'The file was left untouched.';

export class DatabaseOpenError extends Error {
  constructor(readonly file: string, message: string) {
    super(message);
    this.name = 'DatabaseOpenError';
  }
}

/** SQLite found a damaged page during the check at open. */
export class IntegrityCheckError extends Error {
  constructor(readonly finding: string) {
    super(`integrity check failed: ${finding}`);
  }
}

const cannotOpen = (file: string, problem: string, remedy: string) =>
  new DatabaseOpenError(file, `Transfer Lab cannot open its database ${file}: ${problem}. ${remedy}`);

/** The data folder could not be created (mkdir failed). */
export function explainFolderError(e: unknown, folder: string, file: string): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  const why: Record<string, string> = { EACCES: 'permission denied', EPERM: 'permission denied', EROFS: 'the disk is read-only', ENOTDIR: 'a file is in the way' };
  if (!code || !why[code]) return e;
  return new DatabaseOpenError(file, `Transfer Lab cannot create its data folder ${folder}: ${why[code]}. ${READ_ONLY_REMEDY}`);
}

/** Turns the SQLite errors of a file that cannot be used into a DatabaseOpenError; anything else is returned as it was. */
export function explainOpenError(e: unknown, file: string): unknown {
  if (e instanceof IntegrityCheckError) {
    return cannotOpen(file, truncation(file) ?? `the file is damaged (the integrity check found "${e.finding}")`, `${DAMAGED_FILE_REMEDY(file)} ${UNTOUCHED}`);
  }
  const code = (e as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return e;
  const sqlite = (e as Error).message;
  if (code === 'SQLITE_NOTADB') {
    const problem = hasSqliteMagic(file) ? `its header is damaged (SQLite: ${sqlite})` : 'the file does not start with a SQLite header (the header was overwritten, or it is not a Transfer Lab database)';
    return cannotOpen(file, problem, `${DAMAGED_FILE_REMEDY(file)} ${UNTOUCHED}`);
  }
  if (code.startsWith('SQLITE_CORRUPT')) {
    return cannotOpen(file, truncation(file) ?? `the file is damaged (SQLite: ${sqlite})`, `${DAMAGED_FILE_REMEDY(file)} ${UNTOUCHED}`);
  }
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM') {
    const untouched = existsSync(file) ? ` ${UNTOUCHED}` : '';
    if (!writable(dirname(file))) return cannotOpen(file, `the data folder ${dirname(file)} is read-only`, READ_ONLY_REMEDY + untouched);
    if (existsSync(file) && !writable(file)) return cannotOpen(file, 'the file is read-only', `Make the file writable, or choose another data folder.${untouched}`);
    return cannotOpen(file, `SQLite could not open it (${sqlite})`, `Check that the folder and the file can be written to, or choose another data folder.${untouched}`);
  }
  if (code.startsWith('SQLITE_BUSY')) {
    return cannotOpen(file, 'another program keeps it locked', `Close any other Transfer Lab using this data folder and start again. ${UNTOUCHED}`);
  }
  if (code === 'SQLITE_FULL') return cannotOpen(file, 'the disk is full', 'Free some disk space and start again.');
  return e;
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function readHeader(file: string): Buffer | null {
  try {
    const fd = openSync(file, 'r');
    try {
      const header = Buffer.alloc(100);
      return header.subarray(0, readSync(fd, header, 0, 100, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}

function hasSqliteMagic(file: string): boolean {
  return readHeader(file)?.subarray(0, 16).toString('latin1') === 'SQLite format 3\0';
}

/** "truncated (holds N of M bytes)", when the file is shorter than its own header says it is. */
function truncation(file: string): string | null {
  const header = readHeader(file);
  if (!header) return null;
  const size = statSync(file).size;
  if (header.length < 100) return `the file is truncated (it holds only ${size} bytes, less than a SQLite header)`;
  if (header.subarray(0, 16).toString('latin1') !== 'SQLite format 3\0') return null;
  const rawPageSize = header.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  // The page count in the header is only valid when written by the same change as the header.
  const pageCountValid = header.readUInt32BE(92) === header.readUInt32BE(24);
  const expected = pageSize * header.readUInt32BE(28);
  if (!pageCountValid || expected <= size) return null;
  return `the file is truncated (it holds ${size} bytes of the ${expected} its header records)`;
}
