// The on-disk format of a shipped data set (resources/datasets/<id>/), shared by the build script
// that writes it and the loader that reads it.
import { z } from 'zod';

export const IMAGES_FILE = 'images.u8.gz'; // gzip of N×H×W×C uint8, row-major: the pool, then the test pool
export const LABELS_FILE = 'labels.u8'; // N bytes, class index per image
export const META_FILE = 'meta.json';
export const CARD_FILE = 'CARD.md';

export const ShippedMeta = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  name: z.string().min(1),
  role: z.enum(['source', 'similar-target', 'different-target']),
  description: z.string(),
  classes: z.array(z.string().min(1)).min(2),
  imageSize: z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]),
  /** Images per class that runs draw their training and validation images from (the pool). */
  counts: z.array(z.number().int().nonnegative()),
  /** Images per class of the fixed test pool: the last images of the files, after the pool. Every
   *  run on the set is scored on all of them, whatever subset it trained on. Absent: no fixed pool,
   *  runs carve their test images from the pool by seed. */
  testCounts: z.array(z.number().int().nonnegative()).optional(),
});
export type ShippedMeta = z.output<typeof ShippedMeta>;

/** Sample ids of shipped images are "<dataset id>:<index in the shipped file>". */
export const shippedSampleId = (datasetId: string, index: number) => `${datasetId}:${index}`;

export function parseShippedSampleId(datasetId: string, sampleId: string): number {
  const m = /^([a-z0-9-]+):(\d+)$/.exec(sampleId);
  if (!m || m[1] !== datasetId) throw new Error(`"${sampleId}" is not a sample id of data set "${datasetId}" (expected "${datasetId}:<index>").`);
  return Number(m[2]);
}
