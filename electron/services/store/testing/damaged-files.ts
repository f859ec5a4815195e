// Real SQLite files with the kinds of damage students run into, for the database's tests.
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { openDatabase } from '../database.js';

/** A database at the app's schema with enough rows to span many pages, closed cleanly. */
export function writeDatabaseWithRows(file: string, rows = 5000): void {
  const db = openDatabase(file);
  db.exec('CREATE TABLE filler (n INTEGER, text TEXT)');
  const insert = db.prepare('INSERT INTO filler VALUES (?, ?)');
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(i, `row ${i} `.padEnd(60, '.'));
  })();
  db.close();
}

export function truncateToHalf(file: string): void {
  truncateSync(file, Math.floor(readFileSync(file).length / 2));
}

/** Overwrites the 100-byte file header, as a program writing to the wrong file would. */
export function overwriteHeader(file: string): void {
  const bytes = readFileSync(file);
  bytes.fill(0x41, 0, 100);
  writeFileSync(file, bytes);
}

/** Fills one page in the middle of the file with garbage: page 1 still reads fine. */
export function damageMiddlePage(file: string): void {
  const bytes = readFileSync(file);
  const pageSize = bytes.readUInt16BE(16);
  const middle = Math.floor(bytes.length / pageSize / 2);
  bytes.fill(0x41, middle * pageSize, (middle + 1) * pageSize);
  writeFileSync(file, bytes);
}
