// The facts of a backbone (blocks, parameters per block, input and feature sizes), computed from
// the model as training loads it, so the Train form plans with exactly what a run will unfreeze.
// Runs in the worker; the services store the answer as facts.json (electron/models/facts.ts).
import type { BackboneDirs, BackboneLocation } from '../../models/backbone-dirs.js';
import { BackboneFacts, type ModelDescription } from '../../models/facts.js';
import { contentsFingerprint } from '../../models/fingerprint.js';
import { BackboneUnavailableError, disposeLoaded, loadBackboneAt, loadBackboneWithFacts, type LoadedWithFacts } from './load.js';
import { blockParams } from './recipes.js';

/** The facts of a loaded backbone (the caller still owns and disposes it). */
export function factsOf(b: LoadedWithFacts): BackboneFacts {
  const canFineTune = b.format === 'layers' && b.model != null;
  return BackboneFacts.parse({
    format: b.format,
    family: b.family,
    inputShape: b.inputShape,
    featureSize: b.featureSize,
    totalParams: b.totalParams,
    blockParams: canFineTune ? blockParams(b.model!, b.blocks) : [],
    canFineTune,
    preprocess: b.preprocessKind,
    layers: b.layerCount,
    sizeBytes: b.folder.sizeBytes,
    fingerprint: contentsFingerprint(b.folder.contents),
  });
}

async function describeLoaded(load: Promise<LoadedWithFacts>): Promise<BackboneFacts> {
  const b = await load;
  try {
    return factsOf(b);
  } finally {
    disposeLoaded(b);
  }
}

/** Loads a backbone just to describe it, then frees it; throws BackboneUnavailableError. */
export function describeBackbone(id: string, dirs: BackboneDirs): Promise<BackboneFacts> {
  return describeLoaded(loadBackboneWithFacts(id, dirs));
}

/** The same, for a folder that is not (yet) where the app looks (the build writes the shipped one). */
export function describeBackboneAt(id: string, where: BackboneLocation): Promise<BackboneFacts> {
  return describeLoaded(loadBackboneAt(id, where));
}

/** The worker's answer: a model it cannot use is an answer too (with the reason), not an error. */
export async function describeModel(id: string, dirs: BackboneDirs): Promise<ModelDescription> {
  try {
    return { usable: true, facts: await describeBackbone(id, dirs) };
  } catch (e) {
    if (e instanceof BackboneUnavailableError) return { usable: false, reason: e.reason };
    throw e;
  }
}
