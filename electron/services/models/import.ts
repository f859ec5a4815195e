// Importing a local tfjs model folder. Its files are checked here (model.json, weight files and
// their sizes; nothing outside the folder is read) and copied into <dataDir>/models/imported/<id>/
// with recorded hashes; the worker then describes the copy, and the service removes it again when
// the worker cannot use it (no image input, nothing to cut features from, ...).
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { importedDir, modelsRoot } from '../../models/backbone-dirs.js';
import type { BackboneFacts, Preprocess } from '../../models/facts.js';
import { readModelFolder, writeIntegrity, MODEL_JSON } from '../../models/model-files.js';
import { SIDECAR_FILE, type BackboneSidecar } from '../../models/sidecar.js';

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'model';

export interface CopiedModel {
  id: string;
  /** The copy, under imported/. */
  dir: string;
  /** The folder it came from. */
  origin: string;
  displayName: string;
  /** What the model expects of [0,1] pixels, as chosen at import. */
  preprocess: Preprocess;
}

const PIXELS: Record<Preprocess, string> = {
  unit: 'Pixels are given in [0, 1].',
  symmetric: 'Pixels are given in [-1, 1].',
  bytes: 'Pixels are given in 0–255.',
  caffe: 'Pixels are given caffe-style: BGR, 0–255 minus the ImageNet means.',
};

function sidecarOf(model: CopiedModel, kind: string): BackboneSidecar {
  return {
    name: model.displayName,
    description: `Imported from ${model.origin}: ${kind}. ${PIXELS[model.preprocess]}`,
    license: 'unknown (imported; see where the model came from)',
    origin: model.origin,
    preprocess: model.preprocess,
  };
}

/**
 * Checks the folder's files and copies them in under a new id; throws "Cannot import …: why". The
 * copy gets a first sidecar with the chosen preprocessing, so the worker describes it with that.
 */
export async function copyModelFolder(source: string, dataDir: string, name?: string, preprocess: Preprocess = 'unit'): Promise<CopiedModel> {
  let dir = path.resolve(source);
  if (!existsSync(dir)) throw new Error(`Cannot import ${source}: no such file or folder`);
  if ((await stat(dir)).isFile()) {
    if (path.basename(dir) !== MODEL_JSON) throw new Error(`Cannot import ${source}: choose a tfjs model folder (or its ${MODEL_JSON})`);
    dir = path.dirname(dir);
  }
  let contents: Map<string, Buffer>;
  try {
    if (!existsSync(path.join(dir, MODEL_JSON))) throw new Error(`there is no ${MODEL_JSON} in ${dir}`);
    // Shard names are plain file names, links are refused before any weight byte is read, and the
    // import copies the checked bytes, never re-reading what may have changed.
    ({ contents } = await readModelFolder(dir));
  } catch (e) {
    throw new Error(`Cannot import ${source}: ${(e as Error).message}`);
  }
  const displayName = name?.trim() || path.basename(dir);
  let id = `imported-${slug(displayName)}`;
  for (let i = 2; existsSync(importedDir(dataDir, id)); i++) id = `imported-${slug(displayName)}-${i}`;
  const tmp = path.join(modelsRoot(dataDir), '.partial', `import-${randomUUID()}`);
  await mkdir(tmp, { recursive: true });
  try {
    for (const [f, data] of contents) await writeFile(path.join(tmp, f), data);
    await writeIntegrity(tmp, dir);
    const dest = importedDir(dataDir, id);
    const copied: CopiedModel = { id, dir: dest, origin: dir, displayName, preprocess };
    await writeFile(path.join(tmp, SIDECAR_FILE), JSON.stringify(sidecarOf(copied, 'not checked yet'), null, 2));
    await mkdir(path.dirname(dest), { recursive: true });
    await rename(tmp, dest);
    return copied;
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** Names the imported model and says what the worker found in it. */
export async function writeImportedSidecar(model: CopiedModel, facts: BackboneFacts): Promise<void> {
  const kind = facts.format === 'graph' ? 'graph model (frozen feature extractor only; cannot be fine-tuned)' : `layers model, ${facts.layers} layers`;
  await writeFile(path.join(model.dir, SIDECAR_FILE), JSON.stringify(sidecarOf(model, `${kind}, input ${facts.inputShape.join('×')}`), null, 2));
}
