// Lists a user's image folder (one subfolder per class) without ever reading outside it: the root is
// resolved to its real path, and every symlink is resolved and checked before it is followed. A link
// from one class into another is skipped, so no image is ever labelled with the wrong class.
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { pseudoFsReason } from './pseudo-fs.js';
import { fileKind } from '../files/safe-read.js';

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

/** Resolves the chosen folder, with clear errors for the usual mistakes and for system folders. */
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
  const system = await pseudoFsReason(root);
  if (system) throw new Error(`${path} is a system folder (${system}), not a folder of images. Choose a folder that holds one subfolder per class.`);
  if (!(await stat(root)).isDirectory()) throw new Error(`${path} is a file, not a folder. Choose a folder with one subfolder per class.`);
  return root;
}

type Entry = { kind: 'file' | 'dir'; abs: string; linked: boolean } | { kind: 'skip'; reason: string };

/** What a directory entry really is, following a symlink only when it stays inside the root. */
async function resolveEntry(root: string, dir: string, ent: Dirent): Promise<Entry> {
  const path = join(dir, ent.name);
  if (ent.isFile()) return { kind: 'file', abs: path, linked: false };
  if (ent.isDirectory()) return { kind: 'dir', abs: path, linked: false };
  if (!ent.isSymbolicLink()) return { kind: 'skip', reason: `not a regular file (${fileKind(ent)})` };
  let target: string;
  try {
    target = await realpath(path);
  } catch (e) {
    return { kind: 'skip', reason: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'broken symlink' : ioReason(e) };
  }
  if (!isInside(root, target)) return { kind: 'skip', reason: 'symlink leaves the chosen folder' };
  if (target === root) return { kind: 'skip', reason: 'symlink points to the chosen folder itself' };
  let st;
  try {
    st = await stat(target);
  } catch (e) {
    return { kind: 'skip', reason: ioReason(e) };
  }
  if (st.isDirectory()) return { kind: 'dir', abs: target, linked: true };
  return st.isFile() ? { kind: 'file', abs: target, linked: true } : { kind: 'skip', reason: `not a regular file (${fileKind(st)})` };
}

async function readDirSorted(dir: string): Promise<Dirent[]> {
  return (await readdir(dir, { withFileTypes: true })).sort((a, b) => byCodePoint(a.name, b.name));
}

interface ClassDir { name: string; abs: string }
/** The class (other than `own`) whose folder holds `abs` or lies inside it. */
const otherClassAt = (classes: ClassDir[], abs: string, own?: ClassDir) =>
  classes.find((c) => c !== own && (isInside(c.abs, abs) || isInside(abs, c.abs)));
const intoClass = (c: ClassDir) => `symlink points into class "${c.name}"`;

export interface ListOptions {
  signal?: AbortSignal;
  /** Called with the number of files found so far, as the walk finds them. */
  onFound?: (files: number) => void;
}

/**
 * Classes are the root's subfolders (sorted), images anything inside them (nested folders included).
 * Only names are read here; the bytes are read and checked by the scanner/decoder. A cancel stops
 * the walk at the next entry.
 */
export async function listFolder(path: string, { signal, onFound }: ListOptions = {}): Promise<FolderListing> {
  const root = await resolveRoot(path);
  const relOf = (shown: string) => relative(root, shown).split(sep).join('/');
  const skipped: SkippedFile[] = [];
  let rootEntries: Dirent[];
  try {
    rootEntries = await readDirSorted(root);
  } catch (e) {
    throw new Error(`Cannot list ${path}: ${ioReason(e)}.`);
  }
  // Real subfolders first, then linked ones: a link that names a folder already a class is skipped.
  const resolved: Array<{ ent: Dirent; r: Entry }> = [];
  for (const ent of rootEntries) {
    if (signal?.aborted) throw abortError();
    if (!isIgnored(ent.name)) resolved.push({ ent, r: await resolveEntry(root, root, ent) });
  }
  const classDirs: ClassDir[] = [];
  for (const linked of [false, true]) {
    for (const { ent, r } of resolved) {
      if (r.kind === 'skip') { if (!linked) skipped.push({ file: ent.name, reason: r.reason }); continue; }
      if (r.linked !== linked) continue;
      if (r.kind === 'file') { skipped.push({ file: ent.name, reason: 'file directly in the chosen folder (put images in one subfolder per class)' }); continue; }
      const other = otherClassAt(classDirs, r.abs);
      if (other) skipped.push({ file: ent.name, reason: intoClass(other) });
      else classDirs.push({ name: ent.name, abs: r.abs });
    }
  }
  classDirs.sort((a, b) => byCodePoint(a.name, b.name));

  const files: FolderFile[] = [];
  const walk = async (cls: ClassDir, visited: Set<string>, dir: string, shownDir: string, label: number, depth: number): Promise<void> => {
    if (signal?.aborted) throw abortError();
    let real: string;
    try {
      real = await realpath(dir);
    } catch (e) {
      skipped.push({ file: relOf(shownDir) + '/', reason: ioReason(e) });
      return;
    }
    if (visited.has(real)) return; // a symlinked folder this class already walked: avoid loops and duplicates
    visited.add(real);
    const system = await pseudoFsReason(real);
    if (system) {
      skipped.push({ file: relOf(shownDir) + '/', reason: `system folder (${system}), not images` });
      return;
    }
    let entries: Dirent[];
    try {
      entries = await readDirSorted(dir);
    } catch (e) {
      skipped.push({ file: relOf(shownDir) + '/', reason: ioReason(e) });
      return;
    }
    for (const ent of entries) {
      if (signal?.aborted) throw abortError();
      if (isIgnored(ent.name)) continue;
      const shown = join(shownDir, ent.name);
      const r = await resolveEntry(root, dir, ent);
      if (r.kind === 'skip') {
        skipped.push({ file: relOf(shown), reason: r.reason });
        continue;
      }
      const other = r.linked ? otherClassAt(classDirs, r.abs, cls) : undefined;
      if (other) skipped.push({ file: relOf(shown), reason: intoClass(other) });
      else if (r.kind === 'file') {
        if (files.length >= MAX_FILES) throw new Error(`${path} holds more than ${MAX_FILES.toLocaleString('en')} files; choose a smaller folder.`);
        files.push({ rel: relOf(shown), abs: r.abs, label });
        onFound?.(files.length);
      } else if (depth >= MAX_DEPTH) skipped.push({ file: relOf(shown) + '/', reason: `nested more than ${MAX_DEPTH} folders deep` });
      else await walk(cls, visited, r.abs, shown, label, depth + 1);
    }
  };
  // Each class keeps its own record of folders walked: one class's links cannot empty another.
  for (const [label, c] of classDirs.entries()) await walk(c, new Set(), c.abs, join(root, c.name), label, 1);
  return { root, classes: classDirs.map((c) => c.name), files, skipped };
}
