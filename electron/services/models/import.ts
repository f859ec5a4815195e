// Importing a local tfjs model folder: validated (model.json, format, image input, layers, weight
// files and their sizes), then copied into <dataDir>/models/imported/<id>/ with recorded hashes.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readModelFolder, writeIntegrity, MODEL_JSON } from '../../training/backbones/model-files.js';
import { fixedImageShape, importedDir, modelsRoot, SIDECAR_FILE, type BackboneSidecar } from '../../training/backbones/load.js';
import { cutBase } from '../../training/backbones/recipes.js';

const MAX_LAYERS = 5000;

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'model';

export interface FoundModel {
  format: 'layers' | 'graph';
  layers: number;
  inputShape: [number, number, number];
  files: string[];
  /** The checked bytes of each file: the import copies these, never re-reading what may have changed. */
  contents: Map<string, Buffer>;
}

/** Checks a folder is a usable tfjs model; returns what was found, or throws saying what is wrong. */
export async function validateModelFolder(dir: string): Promise<FoundModel> {
  if (!existsSync(path.join(dir, MODEL_JSON))) throw new Error(`there is no ${MODEL_JSON} in ${dir}`);
  // Nothing outside the chosen folder is read: shard names are plain file names, links are refused
  // before any weight byte is read (readModelFolder).
  const folder = await readModelFolder(dir);
  const { contents } = folder;
  const files = [...contents.keys()];
  if (folder.format === 'graph') {
    const graph = await tf.loadGraphModel(tf.io.fromMemory(folder.artifacts));
    try {
      const shape = graph.inputs[0]?.shape;
      if (!shape) throw new Error('the graph model does not declare its input shape');
      const inputShape = fixedImageShape(shape.map((d) => (d != null && d < 0 ? null : d)));
      return { format: 'graph', layers: 0, inputShape, files, contents };
    } finally {
      graph.dispose();
    }
  }
  const model = await tf.loadLayersModel(tf.io.fromMemory(folder.artifacts));
  let inputShape: [number, number, number];
  const layers = model.layers.length;
  try {
    if (model.inputs.length !== 1) throw new Error(`it has ${model.inputs.length} inputs; a backbone takes exactly one image input`);
    inputShape = fixedImageShape(model.inputs[0].shape);
    if (!model.layers.some((l) => l.weights.length > 0)) throw new Error(`none of its ${layers} layers has weights: there is nothing pretrained to transfer`);
    if (layers > MAX_LAYERS) throw new Error(`it has ${layers} layers, more than the ${MAX_LAYERS} this app accepts`);
  } catch (e) {
    model.dispose();
    throw e;
  }
  // Proves a feature extractor can be cut from it (cutBase frees the dropped layers on success).
  let base: tf.LayersModel;
  try {
    base = cutBase(model).model;
  } catch (e) {
    model.dispose();
    throw e;
  }
  base.dispose();
  return { format: 'layers', layers, inputShape, files, contents };
}

/** Validates and copies the folder; returns the new backbone id. */
export async function importModelFolder(source: string, dataDir: string, name?: string): Promise<string> {
  let dir = path.resolve(source);
  if (!existsSync(dir)) throw new Error(`Cannot import ${source}: no such file or folder`);
  if ((await stat(dir)).isFile()) {
    if (path.basename(dir) !== MODEL_JSON) throw new Error(`Cannot import ${source}: choose a tfjs model folder (or its ${MODEL_JSON})`);
    dir = path.dirname(dir);
  }
  let found;
  try {
    found = await validateModelFolder(dir);
  } catch (e) {
    throw new Error(`Cannot import ${source}: ${(e as Error).message}`);
  }
  const displayName = name?.trim() || path.basename(dir);
  let id = `imported-${slug(displayName)}`;
  for (let i = 2; existsSync(importedDir(dataDir, id)); i++) id = `imported-${slug(displayName)}-${i}`;
  const tmp = path.join(modelsRoot(dataDir), '.partial', `import-${randomUUID()}`);
  await mkdir(tmp, { recursive: true });
  try {
    for (const [f, data] of found.contents) await writeFile(path.join(tmp, f), data);
    const kind = found.format === 'graph' ? 'graph model (frozen feature extractor only; cannot be fine-tuned)' : `layers model, ${found.layers} layers`;
    const sidecar: BackboneSidecar = {
      name: displayName,
      description: `Imported from ${dir}: ${kind}, input ${found.inputShape.join('×')}. Pixels are given in [0, 1].`,
      license: 'unknown (imported; see where the model came from)',
      origin: dir,
    };
    await writeFile(path.join(tmp, SIDECAR_FILE), JSON.stringify(sidecar, null, 2));
    await writeIntegrity(tmp, dir);
    const dest = importedDir(dataDir, id);
    await mkdir(path.dirname(dest), { recursive: true });
    await rename(tmp, dest);
    return id;
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}
