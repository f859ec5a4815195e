// Data sets, folder scans and backbones as the api shows them.
import { z } from 'zod';
import { Id, Count } from './fields.js';

export const DatasetInfo = z.object({
  id: Id,
  name: z.string(),
  source: z.enum(['shipped', 'folder']),
  /** The role a shipped set plays in the lesson: the backbone's pretraining source, or a target. */
  role: z.enum(['source', 'similar-target', 'different-target', 'user']),
  description: z.string(),
  classes: z.array(z.string()),
  /** Images per class a run draws its training and validation images from (and, for a folder,
   *  its test images too). */
  counts: z.array(Count),
  /** Shipped targets: images per class of the fixed test pool, besides `counts`, that every run on
   *  the set is scored on. */
  testCounts: z.array(Count).optional(),
  imageSize: z.tuple([Count, Count, Count]),
  card: z.string().optional(),
  path: z.string().optional(),
});
export const SkippedFile = z.object({ file: z.string(), reason: z.string() });
export const FolderScan = z.object({
  dataset: DatasetInfo,
  thumbnails: z.record(z.string(), z.array(z.string())),
  skipped: z.array(SkippedFile),
});
export const SampleImage = z.object({ id: z.string(), label: z.string(), dataUrl: z.string() });

// Backbones (models)
export const BackboneInfo = z.object({
  id: Id,
  name: z.string(),
  source: z.enum(['shipped', 'catalog', 'imported']),
  format: z.enum(['layers', 'graph']),
  /** Graph models can only serve as frozen feature extractors. */
  canFineTune: z.boolean(),
  inputShape: z.tuple([Count, Count, Count]),
  available: z.boolean(),
  sizeBytes: Count,
  totalParams: Count,
  /** Parameters per unfreezable block, bottom to top; the Train form's slider sums from the top. */
  blockParams: z.array(Count),
  /** Parameters of the new classification head for `classes` classes ≈ headParamsPerClass*classes. */
  headParamsPerClass: Count,
  description: z.string(),
  license: z.string(),
  card: z.string().optional(),
});


export type SkippedFile = z.output<typeof SkippedFile>;
export type DatasetInfo = z.output<typeof DatasetInfo>;
export type FolderScan = z.output<typeof FolderScan>;
export type BackboneInfo = z.output<typeof BackboneInfo>;
export type SampleImage = z.output<typeof SampleImage>;
