// Reads a user's file only when it is a plain regular file, and never more than a cap. A FIFO would
// block the opening thread (and with it every later file call), a device like /dev/zero never ends,
// and procfs reports size 0 for files it then fills without limit: so the size stat() reports is
// only a hint, the read itself stops at the cap.
import { constants, type Stats } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';

/** Why a file was refused (not an I/O error): `message` is a short reason a person can act on. */
export class UnsafeFileError extends Error {
  constructor(readonly kind: 'symlink' | 'not-regular' | 'too-large', message: string) {
    super(message);
    this.name = 'UnsafeFileError';
  }
}

export interface ReadRegularFileOptions {
  /** The most bytes the file may hold; one byte more is read to tell "exactly at the cap" from "over". */
  maxBytes: number;
  signal?: AbortSignal;
}

// O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer. O_NOFOLLOW: a file
// swapped for a symlink between the checks and the open is refused, not followed.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);
const FIRST_CHUNK_MIN = 64 * 1024;
const CHUNK_MAX = 16 * 1024 * 1024;

const mb = (n: number) => (n >= 1048576 ? `${+(n / 1048576).toFixed(1)} MB` : `${n.toLocaleString('en')} bytes`);

type Kind = Pick<Stats, 'isFIFO' | 'isCharacterDevice' | 'isBlockDevice' | 'isSocket' | 'isDirectory' | 'isSymbolicLink'>;

/** What a non-regular file is, in words (takes a Stats or a Dirent). */
export function fileKind(st: Kind): string {
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a folder';
  if (st.isSymbolicLink()) return 'a symlink';
  return 'not a regular file';
}

function notRegular(st: Stats): UnsafeFileError {
  if (st.isSymbolicLink()) return new UnsafeFileError('symlink', 'is a symlink (resolve and check it before reading)');
  return new UnsafeFileError('not-regular', `not a regular file (${fileKind(st)})`);
}

/**
 * Reads at most `maxBytes + 1` bytes from the handle's current position and returns them, or throws
 * `UnsafeFileError('too-large')` when the file holds more than `maxBytes`.
 */
export async function readCapped(fh: FileHandle, maxBytes: number, sizeHint = 0, signal?: AbortSignal): Promise<Buffer> {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new Error(`Invalid read limit ${maxBytes}: expected a whole number of bytes.`);
  const limit = maxBytes + 1;
  const chunks: Buffer[] = [];
  let total = 0;
  let chunk = Math.min(limit, Math.max(sizeHint + 1, FIRST_CHUNK_MIN));
  while (total < limit) {
    signal?.throwIfAborted();
    const buf = Buffer.allocUnsafe(Math.min(chunk, limit - total));
    const { bytesRead } = await fh.read(buf, 0, buf.length, null);
    if (bytesRead === 0) break;
    chunks.push(buf.subarray(0, bytesRead));
    total += bytesRead;
    chunk = Math.min(chunk * 2, CHUNK_MAX);
  }
  if (total > maxBytes) throw new UnsafeFileError('too-large', `too large (more than ${mb(maxBytes)})`);
  return Buffer.concat(chunks, total);
}

/**
 * The bytes of the regular file at `path`, read without ever blocking on open and never beyond
 * `maxBytes + 1`. Symlinks are refused (resolve and check them first), so are FIFOs, devices,
 * sockets and folders: checked with lstat before opening (opening a device can have effects) and
 * again on the open handle (the path may have been swapped in between). I/O errors (ENOENT,
 * EACCES, …) are thrown as they come, with their `code`.
 */
export async function readRegularFile(path: string, { maxBytes, signal }: ReadRegularFileOptions): Promise<Buffer> {
  signal?.throwIfAborted();
  const before = await lstat(path);
  if (!before.isFile()) throw notRegular(before);
  if (before.size > maxBytes) throw new UnsafeFileError('too-large', `too large (${mb(before.size)}, maximum ${mb(maxBytes)})`);
  const fh = await open(path, OPEN_FLAGS);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw notRegular(st);
    if (st.size > maxBytes) throw new UnsafeFileError('too-large', `too large (${mb(st.size)}, maximum ${mb(maxBytes)})`);
    return await readCapped(fh, maxBytes, st.size, signal);
  } finally {
    await fh.close();
  }
}
