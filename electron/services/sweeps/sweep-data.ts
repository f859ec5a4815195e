// What a sweep needs to know of its data set before it queues anything: the ladder capped at what
// the set has, the images each size trains and validates on, and the one test set all its runs are
// scored on (a shipped target's fixed pool, or a pool held out of a folder once for the sweep). A set
// too small for two sizes, or for a test pool, is refused here, with the number it needs.
import { folderTestPerClass, SWEEP_MIN_TEST_IMAGES, type DatasetInfo, type Similarity } from '../../contract/index.js';
import { capSizes, ladderProblem } from '../../contract/sweep-ladder.js';
import { MIN_IMAGES_PER_CLASS } from '../../datasets/stratify.js';
import { readRegistry } from '../../datasets/folder-registry.js';
import { listShippedDatasets } from '../../datasets/shipped.js';
import { NotFoundError } from '../dispatcher.js';
import { trainableImages } from '../training/dataset-images.js';

export interface SweepData {
  info: DatasetInfo;
  ladder: Array<{ perClass: number; images: number }>;
  /** The fixed test pool's size: a shipped target's, or the one held out of a folder for the sweep. */
  testImages: number;
  /** A folder's pool, images per class (every run's DatasetRef.testPerClass); null for a shipped set. */
  testPerClass: number | null;
  similarity: Similarity;
}

type Dirs = { resourcesDir: string; dataDir: string };

export async function findDataset(id: string, dirs: Dirs): Promise<DatasetInfo> {
  const shipped = listShippedDatasets(dirs.resourcesDir).find((d) => d.id === id);
  if (shipped) return shipped;
  const folder = (await readRegistry(dirs.dataDir)).find((f) => f.id === id);
  if (folder) return folder.info;
  throw new NotFoundError(`No data set "${id}": it is neither shipped nor one of your folders (was it removed?).`);
}

/** What the flowchart's domain question answers for a data set when the student did not say. */
export function similarityOf(info: DatasetInfo): Similarity {
  return info.role === 'similar-target' ? 'very-similar' : info.role === 'different-target' ? 'very-different' : 'somewhat-similar';
}

/** Why a folder cannot give a sweep its test pool and still train, with the numbers it needs; null when it can. */
function folderTestProblem(info: DatasetInfo): string | null {
  const least = Math.ceil(SWEEP_MIN_TEST_IMAGES / info.counts.length);
  const need = least + 2;
  const short = info.classes.map((name, c) => ({ name, have: info.counts[c] })).filter((c) => c.have < need);
  if (short.length === 0) return null;
  return `"${info.name}" is too small for a sweep's test pool: every run of a sweep is scored on the same ${SWEEP_MIN_TEST_IMAGES} or more held-out test images, `
    + `${least} of each of its ${info.classes.length} classes, and every class also needs 2 to train and validate, `
    + `so each class needs at least ${need} images: ${short.map((c) => `"${c.name}" has ${c.have}`).join(', ')}.`;
}

export async function describeSweepData(request: { datasetId: string; sizes: number[]; similarity?: Similarity }, dirs: Dirs): Promise<SweepData> {
  const info = await findDataset(request.datasetId, dirs);
  if (info.role === 'source') throw new Error(`"${info.name}" is the backbone's pretraining set: a sweep on it would test what the backbone already learned. Choose a target set or your own folder.`);
  const folder = info.source === 'folder';
  const problem = ladderProblem(request.sizes, info.counts, folder ? MIN_IMAGES_PER_CLASS : 2);
  if (problem) throw new Error(problem);
  const similarity = request.similarity ?? similarityOf(info);
  if (folder) return describeFolder(info, request.sizes, similarity);
  const sizes = capSizes(request.sizes, info.counts, 2);
  const ladder = [];
  for (const perClass of sizes) {
    const images = await trainableImages({ id: info.id, perClass }, dirs);
    if (images === null) throw new Error(`The data set "${info.name}" could not be read to count its images.`);
    ladder.push({ perClass, images });
  }
  const testImages = (info.testCounts ?? []).reduce((a, b) => a + b, 0);
  if (testImages < SWEEP_MIN_TEST_IMAGES) {
    throw new Error(`"${info.name}" has only ${testImages} fixed test image${testImages === 1 ? '' : 's'}; a sweep needs at least ${SWEEP_MIN_TEST_IMAGES} to tell the two strategies apart.`);
  }
  return { info, ladder, testImages, testPerClass: null, similarity };
}

/**
 * A folder's sweep: one test pool held out for all its runs (chosen from the sample ids by the
 * loader, DatasetRef.testPerClass), and the ladder over what is left of each class.
 */
function describeFolder(info: DatasetInfo, sizes: number[], similarity: Similarity): SweepData {
  const testPerClass = folderTestPerClass(info.counts);
  const problem = folderTestProblem(info);
  if (problem) throw new Error(problem);
  const left = info.counts.map((n) => n - testPerClass);
  const ladder = capSizes(sizes, left, 2).map((perClass) => ({ perClass, images: left.reduce((sum, n) => sum + Math.min(n, perClass), 0) }));
  if (ladder.length < 2) {
    const smallest = Math.max(2, Math.min(...sizes));
    throw new Error(`A sweep needs at least two sizes to compare, but once ${testPerClass} test images of every class are held out, the largest class of "${info.name}" has only ${Math.max(...left)} left to train on, `
      + `so ${ladder.length === 0 ? 'no size' : `only one size (${ladder[0].perClass} per class)`} fits. It needs at least ${testPerClass + smallest + 1} images in a class; add images or choose smaller sizes.`);
  }
  return { info, ladder, testImages: testPerClass * info.classes.length, testPerClass, similarity };
}
