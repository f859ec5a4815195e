// Loading a backbone by id in the worker process: found (electron/models/backbone-dirs.ts), read and
// checked (model-files.ts), then built into a feature-extracting base (build-backbone.ts, which a
// window uses too, on the folder its host reads for it).
import type { LoadedBackbone } from '../types.js';
import { isValidBackboneId, locateBackbone, type BackboneDirs, type BackboneLocation } from '../../models/backbone-dirs.js';
import { readModelFolder, type ModelFolder } from '../../models/model-files.js';
import { readSidecar } from '../../models/sidecar.js';
import { BackboneUnavailableError, buildBackbone, type BuiltBackbone } from './build-backbone.js';

export { BackboneUnavailableError, disposeLoaded } from './build-backbone.js';

/** A loaded backbone plus what describing it needs, with the folder as read from disk. */
export interface LoadedWithFacts extends BuiltBackbone {
  folder: ModelFolder;
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
  if (!isValidBackboneId(id)) throw new BackboneUnavailableError(id, 'that is not a valid model id');
  const where = locateBackbone(id, dirs);
  if (!where) throw new BackboneUnavailableError(id, 'it is not shipped, downloaded or imported (no model.json found)');
  return loadBackboneAt(id, where);
}

/** Loads the backbone in `where.dir` (a shipped folder is trusted; a cached one is verified). */
export async function loadBackboneAt(id: string, where: BackboneLocation): Promise<LoadedWithFacts> {
  try {
    // Cached models were hashed when they entered the cache; a changed file is refused.
    const folder = await readModelFolder(where.dir, { verifyIntegrity: where.source !== 'shipped' });
    const sidecar = await readSidecar(where.dir);
    return { ...(await buildBackbone(id, where.source, folder, sidecar)), folder };
  } catch (e) {
    throw new BackboneUnavailableError(id, (e as Error).message);
  }
}
