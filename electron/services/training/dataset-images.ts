// How many images a run on a data set trains and validates on, from what the data set list already
// knows (no image is read): a shipped set's pool, or a folder's images less its test share.
import type { DatasetRef } from '../../contract/index.js';
import { readRegistry } from '../../datasets/folder-registry.js';
import { listShippedDatasets } from '../../datasets/shipped.js';
import { TEST_FRACTION } from '../../datasets/stratify.js';

export async function trainableImages(ref: DatasetRef, dirs: { resourcesDir: string; dataDir: string }): Promise<number | null> {
  const take = (counts: number[]) => counts.reduce((sum, n) => sum + (ref.perClass == null ? n : Math.min(n, ref.perClass)), 0);
  try {
    const shipped = listShippedDatasets(dirs.resourcesDir).find((d) => d.id === ref.id);
    if (shipped) return take(shipped.counts);
    const folder = (await readRegistry(dirs.dataDir)).find((f) => f.id === ref.id);
    return folder ? Math.round(take(folder.info.counts) * (1 - TEST_FRACTION)) : null;
  } catch {
    return null; // the run itself will say what is wrong with the data set
  }
}
