// Where backbones live: shipped with the app (resources/models/<id>/), downloaded from the catalog
// (<dataDir>/models/catalog/<id>/) or imported (<dataDir>/models/imported/<id>/).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { MODEL_JSON } from './model-files.js';

export interface BackboneDirs { resourcesDir: string; dataDir: string }
export type BackboneSource = 'shipped' | 'catalog' | 'imported';
export interface BackboneLocation { source: BackboneSource; dir: string }

const ID = /^[a-z0-9][a-z0-9._-]{0,119}$/i;
export const isValidBackboneId = (id: string) => ID.test(id) && !id.includes('..');

export const modelsRoot = (dataDir: string) => path.join(dataDir, 'models');
export const catalogDir = (dataDir: string, id: string) => path.join(modelsRoot(dataDir), 'catalog', id);
export const importedDir = (dataDir: string, id: string) => path.join(modelsRoot(dataDir), 'imported', id);
export const shippedDir = (resourcesDir: string, id: string) => path.join(resourcesDir, 'models', id);

/** Where a backbone with this id lives, shipped first; null when it is nowhere. */
export function locateBackbone(id: string, dirs: BackboneDirs): BackboneLocation | null {
  if (!isValidBackboneId(id)) return null;
  const candidates: BackboneLocation[] = [
    { source: 'shipped', dir: shippedDir(dirs.resourcesDir, id) },
    { source: 'catalog', dir: catalogDir(dirs.dataDir, id) },
    { source: 'imported', dir: importedDir(dirs.dataDir, id) },
  ];
  return candidates.find((c) => existsSync(path.join(c.dir, MODEL_JSON))) ?? null;
}
