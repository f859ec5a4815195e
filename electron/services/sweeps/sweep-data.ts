// What a sweep needs to know of its data set before it queues anything: the ladder capped at what
// the set has, the images each size trains and validates on, and the test images its runs are
// scored on. A set too small for two sizes, or with too few test images, is refused here, with the
// number it needs. Sizes and splits come from the same code the runs use (dataset-images, stratify).
import { SWEEP_MIN_TEST_IMAGES, type DatasetInfo, type Similarity } from '../../contract/index.js';
import { capSizes, ladderProblem } from '../../contract/sweep-ladder.js';
import { MIN_IMAGES_PER_CLASS, TEST_FRACTION, threeWaySplit } from '../../datasets/stratify.js';
import { readRegistry } from '../../datasets/folder-registry.js';
import { listShippedDatasets } from '../../datasets/shipped.js';
import { NotFoundError } from '../dispatcher.js';
import { trainableImages } from '../training/dataset-images.js';

export interface SweepData {
  info: DatasetInfo;
  ladder: Array<{ perClass: number; images: number }>;
  /** The fixed test pool's size, or null when each run's test images are carved from its subset. */
  testImages: number | null;
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

/** Test images of a run on `perClass` images per class drawn from a set without a fixed test pool. */
function carvedTestImages(counts: number[], perClass: number): number {
  const labels: number[] = [];
  counts.forEach((n, c) => { for (let i = 0; i < Math.min(n, perClass); i++) labels.push(c); });
  return threeWaySplit(labels, 0.2, 0).test.length;
}

export async function describeSweepData(request: { datasetId: string; sizes: number[]; similarity?: Similarity }, dirs: Dirs): Promise<SweepData> {
  const info = await findDataset(request.datasetId, dirs);
  if (info.role === 'source') throw new Error(`"${info.name}" is the backbone's pretraining set: a sweep on it would test what the backbone already learned. Choose a target set or your own folder.`);
  const minPerClass = info.source === 'folder' ? MIN_IMAGES_PER_CLASS : 2;
  const problem = ladderProblem(request.sizes, info.counts, minPerClass);
  if (problem) throw new Error(problem);
  const sizes = capSizes(request.sizes, info.counts, minPerClass);
  const ladder = [];
  for (const perClass of sizes) {
    const images = await trainableImages({ id: info.id, perClass }, dirs);
    if (images === null) throw new Error(`The data set "${info.name}" could not be read to count its images.`);
    ladder.push({ perClass, images });
  }
  const pool = (info.testCounts ?? []).reduce((a, b) => a + b, 0);
  const testImages = pool > 0 ? pool : null;
  const largestTest = testImages ?? carvedTestImages(info.counts, sizes.at(-1)!);
  if (largestTest < SWEEP_MIN_TEST_IMAGES) {
    const total = Math.ceil(SWEEP_MIN_TEST_IMAGES / TEST_FRACTION);
    throw new Error(
      `"${info.name}" would hold out only ${largestTest} test image${largestTest === 1 ? '' : 's'}; a sweep needs at least ${SWEEP_MIN_TEST_IMAGES} to tell the two strategies apart. `
      + (testImages === null
        ? `A fifth of each class is held out, so the folder needs about ${total} images (${Math.ceil(total / info.classes.length)} per class).`
        : `Its fixed test pool needs at least ${SWEEP_MIN_TEST_IMAGES} images.`),
    );
  }
  return { info, ladder, testImages, similarity: request.similarity ?? similarityOf(info) };
}
