// Turns what a student dropped or chose (a folder of class folders, or the class folders
// themselves) into the upload's files, '/'-separated paths starting at the class folder, and checks
// the upload's limits before anything is sent.
import { UPLOAD_LIMITS, type SkippedFile } from '../../../electron/contract/index.js';
import type { UploadFile } from '../../lib/api.js';

export interface PickedFile { path: string; file: Blob & { name?: string } }
export interface UploadPlan { name: string; files: UploadFile[]; skipped: SkippedFile[]; problem: string | null }

const mb = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;
const litter = (segment: string) => segment.startsWith('.') || segment === '__MACOSX' || segment === 'Thumbs.db' || segment === 'desktop.ini';

/** One folder holding everything (the usual drop): it names the upload and its subfolders are the classes. */
export function planUpload(picked: PickedFile[], limits: { files: number; fileBytes: number; totalBytes: number } = UPLOAD_LIMITS): UploadPlan {
  const paths = picked.map((p) => p.path.split('/').filter(Boolean));
  const tops = new Set(paths.map((p) => p[0]));
  const single = tops.size === 1 && paths.some((p) => p.length >= 3);
  const name = single ? [...tops][0] : 'upload';
  const files: UploadFile[] = [];
  const skipped: SkippedFile[] = [];
  let total = 0;
  picked.forEach((p, i) => {
    const parts = single ? paths[i].slice(1) : paths[i];
    if (parts.some(litter)) return; // system files no one means as images
    const path = parts.join('/');
    if (parts.length < 2) return void skipped.push({ file: p.path, reason: 'not inside a class folder (the upload needs one subfolder per class)' });
    if (p.file.size > limits.fileBytes) return void skipped.push({ file: path, reason: `larger than ${mb(limits.fileBytes)}, the limit per image` });
    total += p.file.size;
    files.push({ path, file: p.file });
  });
  let problem: string | null = null;
  if (files.length === 0) problem = 'Nothing to upload: drop a folder that holds one subfolder of images per class.';
  else if (files.length > limits.files) problem = `That is ${files.length} files; one upload takes at most ${limits.files}. Upload a smaller folder.`;
  else if (total > limits.totalBytes) problem = `That is ${mb(total)}; one upload takes at most ${mb(limits.totalBytes)}. Upload fewer or smaller images.`;
  return { name, files, skipped, problem };
}

/** Reads a drop: folders are walked (entries come in batches), files taken as they are. */
export async function pickedFromDrop(items: DataTransferItemList): Promise<PickedFile[]> {
  const out: PickedFile[] = [];
  const entries = Array.from(items, (i) => i.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
  async function walk(entry: FileSystemEntry, prefix: string): Promise<void> {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      out.push({ path, file });
      return;
    }
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) break;
      for (const child of batch) await walk(child, path);
    }
  }
  for (const e of entries) await walk(e, '');
  return out;
}

/** A folder chosen with the file picker (webkitdirectory): each file knows its path below the choice. */
export const pickedFromInput = (files: FileList | File[]): PickedFile[] =>
  Array.from(files, (file) => ({ path: (file as File & { webkitRelativePath?: string }).webkitRelativePath || file.name, file }));
