// The user's registered image folders, persisted in <dataDir>/datasets.json. Both the datasets
// service (which adds and removes them) and the training worker (which loads them) read it.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DatasetInfo } from '../contract/index.js';

export const REGISTRY_FILE = 'datasets.json';

const FolderEntry = z.object({ id: z.string(), path: z.string(), addedAt: z.string(), info: DatasetInfo });
const Registry = z.object({ version: z.literal(1), folders: z.array(FolderEntry) });
export type FolderEntry = z.output<typeof FolderEntry>;

/** Folder ids are derived from the folder's real path, so adding the same folder again updates it. */
export const folderIdFor = (realRoot: string) => `folder-${createHash('sha256').update(realRoot).digest('hex').slice(0, 12)}`;
export const isFolderId = (id: string) => /^folder-[0-9a-f]{12}$/.test(id);

export async function readRegistry(dataDir: string): Promise<FolderEntry[]> {
  const file = join(dataDir, REGISTRY_FILE);
  if (!existsSync(file)) return [];
  let parsed;
  try {
    parsed = Registry.safeParse(JSON.parse(await readFile(file, 'utf8')));
  } catch {
    parsed = null;
  }
  if (!parsed?.success) {
    // Only pointers to the user's folders live here (never images), so a damaged file is set aside
    // for inspection and the list starts empty rather than blocking the app.
    await rename(file, `${file}.damaged-${Date.now()}`).catch(() => undefined);
    return [];
  }
  return parsed.data.folders;
}

/** Atomic: write a temp file next to the target, then rename over it (a crash leaves old or new). */
export async function writeRegistry(dataDir: string, folders: FolderEntry[]): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const file = join(dataDir, REGISTRY_FILE);
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, JSON.stringify({ version: 1, folders } satisfies z.input<typeof Registry>, null, 2) + '\n');
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw new Error(`Could not save the list of data sets to ${file}: ${(e as Error).message}`);
  }
}

export async function findFolder(dataDir: string, id: string): Promise<FolderEntry | undefined> {
  return (await readRegistry(dataDir)).find((f) => f.id === id);
}
