// Finding and loading a backbone by id: shipped (resources/models/<id>/), downloaded from the catalog
// (<dataDir>/models/catalog/<id>/) or imported (<dataDir>/models/imported/<id>/).
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { LoadedBackbone } from '../types.js';
import { readFolderFile } from './folder-file.js';
import { readModelFolder, type ModelFolder } from './model-files.js';
import { cutBase, defaultPreprocess, preprocessFn, type Family, type Preprocess } from './recipes.js';

export interface BackboneDirs { resourcesDir: string; dataDir: string }
export type BackboneSource = 'shipped' | 'catalog' | 'imported';

/** Written beside a downloaded or imported model: what the app knows about it. */
export const SIDECAR_FILE = 'backbone.json';
export interface BackboneSidecar {
  name: string;
  description: string;
  license: string;
  origin: string;
  preprocess?: Preprocess;
  card?: string;
}

const ID = /^[a-z0-9][a-z0-9._-]{0,119}$/i;
export const isValidBackboneId = (id: string) => ID.test(id) && !id.includes('..');

export const modelsRoot = (dataDir: string) => path.join(dataDir, 'models');
export const catalogDir = (dataDir: string, id: string) => path.join(modelsRoot(dataDir), 'catalog', id);
export const importedDir = (dataDir: string, id: string) => path.join(modelsRoot(dataDir), 'imported', id);
export const shippedDir = (resourcesDir: string, id: string) => path.join(resourcesDir, 'models', id);

/** Where a backbone with this id lives, shipped first; null when it is nowhere. */
export function locateBackbone(id: string, dirs: BackboneDirs): { source: BackboneSource; dir: string } | null {
  if (!isValidBackboneId(id)) return null;
  const candidates: { source: BackboneSource; dir: string }[] = [
    { source: 'shipped', dir: shippedDir(dirs.resourcesDir, id) },
    { source: 'catalog', dir: catalogDir(dirs.dataDir, id) },
    { source: 'imported', dir: importedDir(dirs.dataDir, id) },
  ];
  return candidates.find((c) => existsSync(path.join(c.dir, 'model.json'))) ?? null;
}

/** Sidecars and model cards are small text; a larger file is not one. */
export const MAX_TEXT_FILE_BYTES = 1024 * 1024;

export async function readSidecar(dir: string): Promise<BackboneSidecar | null> {
  const text = await readFolderFile(path.join(dir, SIDECAR_FILE), SIDECAR_FILE, MAX_TEXT_FILE_BYTES);
  if (text == null) return null;
  try {
    return JSON.parse(text.toString('utf8')) as BackboneSidecar;
  } catch (e) {
    throw new Error(`${SIDECAR_FILE} is not valid JSON (${(e as Error).message})`);
  }
}

/** A loaded backbone plus what describing it needs. */
export interface LoadedWithFacts extends LoadedBackbone { source: BackboneSource; family: Family | 'graph'; folder: ModelFolder; totalParams: number }

/** Frees a backbone loaded here: its layers model, or its graph model's weights. */
export function disposeLoaded(b: LoadedBackbone): void {
  b.model?.dispose();
  b.dispose?.();
}

const notAvailable = (id: string, why: string) => new Error(`Model '${id}' is not available: ${why}`);

function preprocessOf(folder: ModelFolder, sidecar: BackboneSidecar | null, family: Family | 'graph'): Preprocess {
  const fromMeta = folder.json.userDefinedMetadata?.preprocess;
  const p = sidecar?.preprocess ?? (typeof fromMeta === 'string' ? fromMeta : undefined);
  if (p === 'unit' || p === 'symmetric' || p === 'bytes') return p;
  return family === 'graph' ? 'unit' : defaultPreprocess(family);
}

/**
 * Loads a backbone; any failure (missing, corrupt, changed, unusable) says which model and why.
 * Callers apply `preprocess` to [0,1] images first (it always returns a new tensor to dispose), then
 * feed the result to `model` (layers) or `predictFeatures` (graph). The caller owns the backbone and
 * frees it with `model.dispose()` (or its layers' weights) and `dispose()`, which frees a graph model.
 */
export async function loadBackbone(id: string, dirs: BackboneDirs): Promise<LoadedBackbone> {
  return loadBackboneWithFacts(id, dirs);
}

export async function loadBackboneWithFacts(id: string, dirs: BackboneDirs): Promise<LoadedWithFacts> {
  if (!isValidBackboneId(id)) throw notAvailable(id, 'that is not a valid model id');
  const where = locateBackbone(id, dirs);
  if (!where) throw notAvailable(id, 'it is not shipped, downloaded or imported (no model.json found)');
  try {
    // Cached models were hashed when they entered the cache; a changed file is refused.
    const folder = await readModelFolder(where.dir, { verifyIntegrity: where.source !== 'shipped' });
    const sidecar = await readSidecar(where.dir);
    return folder.format === 'graph' ? await loadGraph(id, where.source, folder, sidecar) : await loadLayers(id, where.source, folder, sidecar);
  } catch (e) {
    throw notAvailable(id, (e as Error).message);
  }
}

async function loadLayers(id: string, source: BackboneSource, folder: ModelFolder, sidecar: BackboneSidecar | null): Promise<LoadedWithFacts> {
  const full = await tf.loadLayersModel(tf.io.fromMemory(folder.artifacts));
  let inputShape: [number, number, number];
  let cut;
  try {
    inputShape = fixedImageShape(full.inputs[0].shape);
    cut = cutBase(full);
  } catch (e) {
    full.dispose();
    throw e;
  }
  const preprocess = preprocessOf(folder, sidecar, cut.family);
  return {
    id, format: 'layers', inputShape, featureSize: cut.featureSize, model: cut.model, blocks: cut.blocks,
    preprocess: preprocessFn(preprocess), source, family: cut.family, folder, totalParams: cut.model.countParams(),
  };
}

async function loadGraph(id: string, source: BackboneSource, folder: ModelFolder, sidecar: BackboneSidecar | null): Promise<LoadedWithFacts> {
  const graph = await tf.loadGraphModel(tf.io.fromMemory(folder.artifacts));
  // No layers model holds the graph's weights: every owner of the backbone frees them through this.
  let disposed = false;
  const dispose = () => {
    if (!disposed) graph.dispose();
    disposed = true;
  };
  try {
    return graphBackbone(id, source, folder, sidecar, graph, dispose);
  } catch (e) {
    dispose();
    throw e;
  }
}

function graphBackbone(id: string, source: BackboneSource, folder: ModelFolder, sidecar: BackboneSidecar | null, graph: tf.GraphModel, dispose: () => void): LoadedWithFacts {
  const shape = graph.inputs[0]?.shape;
  if (!shape) throw new Error('the graph model does not declare its input shape');
  const inputShape = fixedImageShape(shape.map((d) => (d != null && d < 0 ? null : d)));
  const predictFeatures = (x: tf.Tensor4D): tf.Tensor2D => tf.tidy(() => {
    const y = graph.predict(x) as tf.Tensor | tf.Tensor[];
    const out = Array.isArray(y) ? y[0] : y;
    if (out.rank === 4) return out.mean([1, 2]) as tf.Tensor2D; // a feature map: pool it
    return out.reshape([out.shape[0], -1]) as tf.Tensor2D;
  });
  const probe = tf.tidy(() => predictFeatures(tf.zeros([1, ...inputShape]) as tf.Tensor4D));
  const featureSize = probe.shape[1];
  probe.dispose();
  const totalParams = folder.json.weightsManifest.flatMap((g) => g.weights).reduce((a, w) => a + w.shape.reduce((x, y) => x * y, 1), 0);
  return {
    id, format: 'graph', inputShape, featureSize, model: null, predictFeatures, blocks: [], dispose,
    preprocess: preprocessFn(preprocessOf(folder, sidecar, 'graph')), source, family: 'graph', folder, totalParams,
  };
}

/** The model's per-image input [H, W, C]; it must be a fixed-size image. */
export function fixedImageShape(shape: (number | null)[]): [number, number, number] {
  if (shape.length !== 4) throw new Error(`its input has shape [${shape.map(String).join(', ')}]; an image model needs [batch, height, width, channels]`);
  const [, h, w, c] = shape;
  if (h == null || w == null || c == null) throw new Error(`its input size is not fixed ([${shape.map(String).join(', ')}]); height, width and channels must be numbers`);
  if (c !== 1 && c !== 3) throw new Error(`its input has ${c} channels; only 1 (grayscale) or 3 (RGB) are supported`);
  return [h, w, c];
}
