// Sweeps: both strategies trained at a ladder of data sizes over several seeds.
import { z } from 'zod';
import { Id, Text, Count } from './fields.js';
import { Compute, Similarity } from './lessons.js';
import { BackendChoice, RunStatus, Strategy } from './vocabulary.js';

/** The default ladder of training images per class (capped at what the data set has). */
export const SWEEP_DEFAULT_SIZES = [5, 10, 30, 100, 300, 1000, 3000] as const;
/** Fewest test images a sweep is scored on: fewer cannot tell two strategies apart at a few points. */
export const SWEEP_MIN_TEST_IMAGES = 100;
/** Share of a folder's smallest class its sweep holds out as the test pool (as a run without a pool carves). */
export const SWEEP_FOLDER_TEST_SHARE = 0.2;
/** Most images per class a folder's test pool holds (the shipped targets' pools hold up to 1,000 a class). */
export const SWEEP_FOLDER_TEST_MAX = 1000;

/**
 * The fixed test pool a sweep holds out of a folder, images per class: a fifth of its smallest
 * class, at least enough for SWEEP_MIN_TEST_IMAGES in all, at most SWEEP_FOLDER_TEST_MAX.
 */
export function folderTestPerClass(counts: readonly number[]): number {
  const least = Math.ceil(SWEEP_MIN_TEST_IMAGES / Math.max(1, counts.length));
  return Math.min(SWEEP_FOLDER_TEST_MAX, Math.max(least, Math.round(Math.min(...counts) * SWEEP_FOLDER_TEST_SHARE)));
}
export const SweepStatus = z.enum(['running', 'completed', 'cancelled', 'failed']);
export const SweepRequest = z.object({
  /** A shipped target or a registered folder; every size draws its subset from it by seed. */
  datasetId: Id,
  backboneId: Id.default('tl-resnet-s'),
  name: Text(200).optional(),
  /** Training images per class, ascending after capping; sizes above the largest class become "all". */
  sizes: z.array(z.number().int().min(2).max(100_000)).min(2).max(12).default([...SWEEP_DEFAULT_SIZES]),
  strategies: z.array(Strategy).min(1).max(2).default(['feature-extraction', 'fine-tuning']),
  /** Fine-tuning's unfreeze choice, as in a pair; the pair rule derives feature extraction's budget. */
  unfreezeBlocks: z.union([z.number().int().min(0).max(1000), z.literal('all')]).default(2),
  seeds: z.number().int().min(1).max(10).default(3),
  /** The first seed; the others are seed+1, … (as a request repeated over seeds). */
  seed: z.number().int().min(0).max(2_147_483_647).default(42),
  /** Overrides fine-tuning's budget (unfreezing phase, head phase) for a quick look; unset = the budget rule. */
  budget: z.object({ epochs: z.number().int().min(1).max(500), headEpochs: z.number().int().min(0).max(500) }).partial().strict().optional(),
  /** The flowchart's other answers, for its verdict between 1,000 and 10,000 images. Unset: a
   *  shipped target's role answers it (similar / very different), a folder is "somewhat similar". */
  similarity: Similarity.optional(),
  compute: Compute.default('ample'),
  backend: BackendChoice.default('auto'),
});
/** A sweep as stored: the request with every default and the data set's answers filled in. */
export const SweepConfig = SweepRequest.required({ name: true, similarity: true }).extend({
  datasetName: z.string(),
  classes: z.array(z.string()),
  /** The ladder after capping: images per class and the images a run trains and validates on. */
  ladder: z.array(z.object({ perClass: Count, images: Count })),
  /** Test images every run is scored on: a shipped target's fixed pool, or the pool held out of a
   *  folder once for the whole sweep. Null only for sweeps stored before folders had one, whose runs
   *  were scored on the test share carved from their own subset. */
  testImages: Count.nullable(),
  /** A folder's fixed test pool, images per class (DatasetRef.testPerClass of every run); null for a shipped set. */
  testPerClass: Count.nullable().optional(),
});
export const SweepRun = z.object({
  perClass: Count,
  images: Count,
  seed: z.number().int(),
  strategy: Strategy,
  /** Null when the run was deleted from the history; a resume trains it again. */
  runId: Id.nullable(),
  status: RunStatus.nullable(),
  testAcc: z.number().nullable(),
  testLow: z.number().nullable(),
  testHigh: z.number().nullable(),
  testN: Count.nullable(),
  /** Training seconds of the run (as the run card shows them). */
  seconds: z.number().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** The test score's image set and per-image correctness, for the paired test between strategies. */
  setId: z.string().nullable(),
  correctFlags: z.string().nullable(),
  error: z.string().nullable(),
});
export const SweepProgress = z.object({
  sweepId: Id,
  status: SweepStatus,
  done: Count,
  total: Count,
  failed: Count,
  /** Seconds until the last run finishes, from the runs done so far; null until there is a basis. */
  etaSeconds: z.number().nonnegative().nullable(),
});
export const SweepSummary = SweepProgress.omit({ sweepId: true }).extend({
  id: Id,
  name: z.string(),
  config: SweepConfig,
  studentName: z.string(),
  classSession: z.string(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
  /** Shipped sweeps (resources/sweeps) are read-only. */
  source: z.enum(['stored', 'shipped']),
});
export const SweepDetail = SweepSummary.extend({ runs: z.array(SweepRun) });
export const SweepExportFormat = z.enum(['csv', 'svg', 'png', 'json']);


export type SweepStatus = z.output<typeof SweepStatus>;
export type SweepRequest = z.output<typeof SweepRequest>;
export type SweepRequestInput = z.input<typeof SweepRequest>;
export type SweepConfig = z.output<typeof SweepConfig>;
export type SweepRun = z.output<typeof SweepRun>;
export type SweepProgress = z.output<typeof SweepProgress>;
export type SweepSummary = z.output<typeof SweepSummary>;
export type SweepDetail = z.output<typeof SweepDetail>;
export type SweepExportFormat = z.output<typeof SweepExportFormat>;
