// Lists a user's image folder (one subfolder per class) without ever reading outside it: the root is
// resolved to its real path, and every symlink is resolved and checked before it is followed.
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export interface SkippedFile { file: string; reason: string }
export interface FolderFile {
  /** Path relative to the chosen folder, '/'-separated: the sample id. */
  rel: string;
  /** Real path to read (symlinks already resolved and checked). */
  abs: string;
  label: number;
}
export interface FolderListing { root: string; classes: string[]; files: FolderFile[]; skipped: SkippedFile[] }

export const MAX_FILES = 200_000;
const MAX_DEPTH = 8;
// Operating-system litter that no one means as an image.
const IGNORED = new Set(['Thumbs.db', 'desktop.ini', '__MACOSX']);
const isIgnored = (name: string) => name.startsWith('.') || IGNORED.has(name);
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function abortError(what = 'Folder scan'): Error {
  const e = new Error(`${what} cancelled.`);
  e.name = 'AbortError';
  return e;
}

export const isInside = (root: string, p: string) => p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);

export function ioReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'unreadable (permission)';
  if (code === 'ENOENT') return 'unreadable (it disappeared while reading)';
  if (code === 'ELOOP') return 'unreadable (symlink loop)';
  return `unreadable (${code ?? (e as Error)?.message ?? 'unknown error'})`;
}

/** Resolves the chosen folder, with clear errors for the usual mistakes. */
export async function resolveRoot(path: string): Promise<string> {
  let root: string;
  try {
    root = await realpath(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`Folder not found: ${path}`);
    if (code === 'EACCES' || code === 'EPERM') throw new Error(`Cannot open ${path}: permission denied.`);
    throw new Error(`Cannot open ${path}: ${(e as Error).message}`);
  }
  if (!(await stat(root)).isDirectory()) throw new Error(`${path} is a file, not a folder. Choose a folder with one subfolder per class.`);
  return root;
}

/** What a directory entry really is, following a symlink only when it stays inside the root. */
async function resolveEntry(root: string, dir: string, ent: Dirent): Promise<{ kind: 'file'; abs: string } | { kind: 'dir'; abs: string } | { kind: 'skip'; reason: string }> {
  const path = join(dir, ent.name);
  if (ent.isFile()) return { kind: 'file', abs: path };
  if (ent.isDirectory()) return { kind: 'dir', abs: path };
  if (!ent.isSymbolicLink()) return { kind: 'skip', reason: 'not a regular file' };
  let target: string;
  try {
    target = await realpath(path);
  } catch (e) {
    return { kind: 'skip', reason: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'broken symlink' : ioReason(e) };
  }
  if (!isInside(root, target)) return { kind: 'skip', reason: 'symlink leaves the chosen folder' };
  let st;
  try {
    st = await stat(target);
  } catch (e) {
    return { kind: 'skip', reason: ioReason(e) };
  }
  return st.isDirectory() ? { kind: 'dir', abs: target } : st.isFile() ? { kind: 'file', abs: target } : { kind: 'skip', reason: 'not a regular file' };
}

async function readDirSorted(dir: string): Promise<Dirent[]> {
  return (await readdir(dir, { withFileTypes: true })).sort((a, b) => byCodePoint(a.name, b.name));
}

/**
 * Classes are the root's subfolders (sorted), images anything inside them (nested folders included).
 * Only names are read here; the bytes are read and checked by the scanner/decoder.
 */
export async function listFolder(path: string, signal?: AbortSignal): Promise<FolderListing> {
  const root = await resolveRoot(path);
  const relOf = (shown: string) => relative(root, shown).split(sep).join('/');
  const skipped: SkippedFile[] = [];
  const classDirs: Array<{ name: string; abs: string }> = [];
  let rootEntries: Dirent[];
  try {
    rootEntries = await readDirSorted(root);
  } catch (e) {
    throw new Error(`Cannot list ${path}: ${ioReason(e)}.`);
  }
  for (const ent of rootEntries) {
    if (isIgnored(ent.name)) continue;
    const r = await resolveEntry(root, root, ent);
    if (r.kind === 'dir') classDirs.push({ name: ent.name, abs: r.abs });
    else if (r.kind === 'file') skipped.push({ file: ent.name, reason: 'file directly in the chosen folder (put images in one subfolder per class)' });
    else skipped.push({ file: ent.name, reason: r.reason });
  }

  const files: FolderFile[] = [];
  const visited = new Set<string>();
  const walk = async (dir: string, shownDir: string, label: number, depth: number): Promise<void> => {
    if (signal?.aborted) throw abortError();
    let real: string;
    try {
      real = await realpath(dir);
    } catch (e) {
      skipped.push({ file: relOf(shownDir) + '/', reason: ioReason(e) });
      return;
    }
    if (visited.has(real)) return; // a symlinked folder we already walked: avoid loops and duplicates
    visited.add(real);
    let entries: Dirent[];
    try {
      entries = await readDirSorted(dir);
    } catch (e) {
      skipped.push({ file: relOf(shownDir) + '/', reason: ioReason(e) });
      return;
    }
    for (const ent of entries) {
      if (isIgnored(ent.name)) continue;
      const shown = join(shownDir, ent.name);
      const r = await resolveEntry(root, dir, ent);
      if (r.kind === 'file') {
        if (files.length >= MAX_FILES) throw new Error(`${path} holds more than ${MAX_FILES.toLocaleString('en')} files; choose a smaller folder.`);
        files.push({ rel: relOf(shown), abs: r.abs, label });
      } else if (r.kind === 'dir') {
        if (depth >= MAX_DEPTH) skipped.push({ file: relOf(shown) + '/', reason: `nested more than ${MAX_DEPTH} folders deep` });
        else await walk(r.abs, shown, label, depth + 1);
      } else skipped.push({ file: relOf(shown), reason: r.reason });
    }
  };
  for (const [label, c] of classDirs.entries()) await walk(c.abs, join(root, c.name), label, 1);
  return { root, classes: classDirs.map((c) => c.name), files, skipped };
}

/** Refuses folders a classifier cannot be trained on, naming what is wrong. */
export function checkClasses(path: string, classes: string[], counts: number[], skipped: SkippedFile[]): void {
  if (classes.length < 2) {
    const found = classes.length === 0 ? 'no class subfolders' : `only one class subfolder ("${classes[0]}")`;
    throw new Error(`${path} has ${found}. A classifier needs at least 2 classes: put each class's images in its own subfolder.`);
  }
  const empty = classes.filter((_, i) => counts[i] === 0);
  if (empty.length > 0) {
    const why = (c: string) => {
      const mine = skipped.filter((s) => s.file === c || s.file.startsWith(c + '/'));
      return mine.length === 0 ? 'the folder is empty' : `${mine.length} file(s) skipped, e.g. ${mine.slice(0, 2).map((s) => `${s.file}: ${s.reason}`).join('; ')}`;
    };
    throw new Error(empty.map((c) => `Class "${c}" has no usable images (${why(c)}).`).join(' ') + ' Remove the folder or add images to it.');
  }
}
