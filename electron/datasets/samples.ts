// Renders sample ids (as recorded in run results) back to small PNG images, e.g. for the gallery of
// misclassified validation images.
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { SampleImage } from '../contract/index.js';
import type { DataDirs } from './data-source.js';
import { findFolder, isFolderId } from './folder-registry.js';
import { isInside, resolveRoot } from './folder-walk.js';
import { readImageBytes, rawToPngDataUrl, thumbnailDataUrl } from './image-file.js';
import { parseShippedSampleId } from './shipped-format.js';
import { isShippedDatasetId, readShippedData } from './shipped.js';

export const SAMPLE_SIZE = 96;

/** A relative, '/'-separated path with no way up or out. */
function checkRelative(id: string): string[] {
  const parts = id.split('/');
  if (id.length === 0 || id.startsWith('/') || id.includes('\\') || id.includes('\0') || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new Error(`"${id}" is not a sample id of a folder data set (expected a relative path like "class/image.png").`);
  }
  return parts;
}

/**
 * Shipped images come back at native size (28×28; scale them up with `image-rendering: pixelated`);
 * folder images as a 96 px centre crop, as the network saw them. Folder files that can no longer be
 * read are left out of the answer; malformed ids are an error.
 */
export async function renderSampleImages(dirs: DataDirs, datasetId: string, sampleIds: string[]): Promise<SampleImage[]> {
  if (isShippedDatasetId(dirs.resourcesDir, datasetId)) {
    const data = await readShippedData(dirs.resourcesDir, datasetId);
    const shape = data.meta.imageSize;
    const size = shape[0] * shape[1] * shape[2];
    return Promise.all(sampleIds.map(async (id) => {
      const i = parseShippedSampleId(datasetId, id);
      if (i >= data.labels.length) throw new Error(`Sample "${id}" does not exist: "${datasetId}" has ${data.labels.length} images.`);
      return { id, label: data.meta.classes[data.labels[i]], dataUrl: await rawToPngDataUrl(data.pixels.subarray(i * size, (i + 1) * size), shape) };
    }));
  }
  const entry = isFolderId(datasetId) ? await findFolder(dirs.dataDir, datasetId) : undefined;
  if (!entry) throw new Error(`Unknown data set "${datasetId}".`);
  const root = await resolveRoot(entry.path);
  const out: SampleImage[] = [];
  for (const id of sampleIds) {
    const parts = checkRelative(id);
    let abs: string;
    try {
      abs = await realpath(join(root, ...parts));
    } catch {
      continue; // removed since the run
    }
    if (!isInside(root, abs)) throw new Error(`Sample "${id}" resolves outside the data set's folder.`);
    try {
      out.push({ id, label: parts[0], dataUrl: await thumbnailDataUrl(await readImageBytes(abs), SAMPLE_SIZE) });
    } catch {
      // unreadable or no longer an image: leave it out of the gallery
    }
  }
  return out;
}
