// A run's files on disk: its trained model folder and the validation predictions beside it, in one
// folder per run under <data folder>/runs. The run row's model_dir, recorded when the run completes,
// says where they are; deleting the run removes that folder, and at start folders no run owns are
// removed. Nothing outside the root is ever removed, whatever a row says.
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const runArtifactRoot = (dataDir: string) => join(dataDir, 'runs');

/** The folder holding a run's files: the one above its recorded model folder, if that lies directly in the root. */
export function runArtifactFolder(root: string, modelDir: string | null): string | null {
  if (!modelDir) return null;
  const folder = dirname(resolve(modelDir));
  return isRunFolder(root, folder) ? folder : null;
}

/** Removes one run folder (a link in its place is removed, never what it points to). */
export function removeRunFolder(root: string, folder: string): boolean {
  if (!isRunFolder(root, folder)) return false;
  try {
    rmSync(folder, { recursive: true, force: true });
    return true;
  } catch {
    return false; // e.g. a file held open: the folder is then an orphan, removed at the next start
  }
}

/** Removes every entry of the root that `owned` does not claim; returns how many went. */
export function removeUnownedRunFolders(root: string, owned: Set<string>): number {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return 0; // no run has saved anything yet
  }
  let removed = 0;
  for (const name of names) {
    const folder = join(resolve(root), name);
    if (!owned.has(folder) && removeRunFolder(root, folder)) removed++;
  }
  return removed;
}

const isRunFolder = (root: string, folder: string) => dirname(resolve(folder)) === resolve(root);
