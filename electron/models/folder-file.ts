// The files of a model folder (model.json, weight shards, sidecars), read the one safe way: a link is
// never followed out of the folder, a FIFO or device is refused without blocking, and no read goes
// past the size the caller allows. Errors name the file by `label` ("weight file weights.bin").
import { lstat } from 'node:fs/promises';
import { fileKind, readRegularFile, UnsafeFileError } from '../files/safe-read.js';

const linkError = (label: string) => new Error(`${label} is a symbolic link; only real files inside the model folder are read (copy the file in instead of linking it)`);

const isMissing = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT';

/** The size of a regular file in the folder, from lstat (which neither follows nor opens); null when missing. */
export async function statFolderFile(file: string, label: string): Promise<number | null> {
  let st;
  try {
    st = await lstat(file);
  } catch (e) {
    if (isMissing(e)) return null;
    throw new Error(`${label} cannot be read (${(e as Error).message})`);
  }
  if (st.isSymbolicLink()) throw linkError(label);
  if (!st.isFile()) throw new Error(`${label} is ${fileKind(st)}, not a regular file`);
  return st.size;
}

/** The bytes of a regular file in the folder, at most `maxBytes`; null when it is missing. */
export async function readFolderFile(file: string, label: string, maxBytes: number): Promise<Buffer | null> {
  if ((await statFolderFile(file, label)) == null) return null;
  try {
    return await readRegularFile(file, { maxBytes });
  } catch (e) {
    // The checks above passed, so these mean the file was swapped or changed in the meantime.
    if (isMissing(e)) return null;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EMLINK' || (e instanceof UnsafeFileError && e.kind === 'symlink')) throw linkError(label);
    if (e instanceof UnsafeFileError) throw new Error(`${label} is ${e.message}`); // "is too large (...)", "is not a regular file (...)"
    throw new Error(`${label} cannot be read (${(e as Error).message})`);
  }
}
