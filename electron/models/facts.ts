// What the app knows about a backbone once the worker has loaded it: its blocks, parameter counts,
// input and feature sizes. Kept as facts.json in the model's folder, so listing models reads JSON
// instead of loading weights. The worker computes them (training/backbones/describe.ts); the
// services store and read them.
import { randomUUID } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { readFolderFile } from './folder-file.js';

export const FACTS_FILE = 'facts.json';
const MAX_FACTS_BYTES = 1024 * 1024;

const Count = z.number().int().nonnegative();
/** What a network expects of [0,1] pixels: [0,1], [-1,1], 0–255, or Keras' caffe mode (BGR, 0–255 minus ImageNet means). */
export const Preprocess = z.enum(['unit', 'symmetric', 'bytes', 'caffe']);
export const ModelFamily = z.enum(['tl-resnet', 'mobilenet-v1', 'generic', 'graph']);
export type Preprocess = z.output<typeof Preprocess>;
export type ModelFamily = z.output<typeof ModelFamily>;

export const BackboneFacts = z.object({
  format: z.enum(['layers', 'graph']),
  family: ModelFamily,
  inputShape: z.tuple([Count, Count, Count]),
  featureSize: Count,
  /** Every weight of the base, BatchNorm moving statistics included (tfjs countParams). */
  totalParams: Count,
  /** Trainable parameters per unfreezable block, bottom to top; empty for graph models. */
  blockParams: z.array(Count),
  canFineTune: z.boolean(),
  preprocess: Preprocess,
  /** Layers of the whole model as stored (classifier included); 0 for graph models. */
  layers: Count,
  /** model.json plus its weight files. */
  sizeBytes: Count,
  /** filesFingerprint of the files these facts were computed from. */
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
});
export type BackboneFacts = z.output<typeof BackboneFacts>;

/** The worker's answer to "describe this model": its facts, or why it cannot be used. */
export const ModelDescription = z.discriminatedUnion('usable', [
  z.object({ usable: z.literal(true), facts: BackboneFacts }),
  z.object({ usable: z.literal(false), reason: z.string() }),
]);
export type ModelDescription = z.output<typeof ModelDescription>;

/** Size and modification time of each file the facts were computed from, when they were. */
export const FileStamps = z.record(z.string(), z.object({ bytes: Count, mtimeMs: z.number() }));
export type FileStamps = z.output<typeof FileStamps>;

/** facts.json: the facts, plus (in the data folder) the stamps that tell a changed file cheaply. */
export const StoredFacts = BackboneFacts.extend({ seen: FileStamps.optional() });
export type StoredFacts = z.output<typeof StoredFacts>;

/** The stored facts; null when there are none or they cannot be used (they are then recomputed). */
export async function readFacts(dir: string): Promise<StoredFacts | null> {
  let text: Buffer | null;
  try {
    text = await readFolderFile(path.join(dir, FACTS_FILE), FACTS_FILE, MAX_FACTS_BYTES);
  } catch {
    return null;
  }
  if (text == null) return null;
  try {
    const parsed = StoredFacts.safeParse(JSON.parse(text.toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Writes facts.json whole or not at all (a reader never sees half a file; a link there is replaced, not followed). */
export async function writeFacts(dir: string, facts: BackboneFacts, seen?: FileStamps): Promise<void> {
  const stored: StoredFacts = { ...BackboneFacts.parse(facts), ...(seen ? { seen } : {}) };
  const tmp = path.join(dir, `.${FACTS_FILE}-${randomUUID()}`);
  try {
    await writeFile(tmp, `${JSON.stringify(stored, null, 2)}\n`, { flag: 'wx' });
    await rename(tmp, path.join(dir, FACTS_FILE));
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
