// Sweeps shipped with the app (resources/sweeps/<data set id>.json, written by `npm run sweep`):
// read-only, shown by the Flowchart view and the lessons beside the student's own.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SweepDetail } from '../../contract/index.js';
import { NotFoundError } from '../dispatcher.js';

export const SHIPPED_PREFIX = 'shipped:';
export const shippedSweepsDir = (resourcesDir: string) => join(resourcesDir, 'sweeps');

export function shippedSweepIds(resourcesDir: string): string[] {
  const dir = shippedSweepsDir(resourcesDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => /^[a-z0-9-]+\.json$/.test(f)).map((f) => f.slice(0, -5)).sort();
}

export function readShippedSweep(resourcesDir: string, datasetId: string): SweepDetail {
  const file = join(shippedSweepsDir(resourcesDir), `${datasetId}.json`);
  if (!/^[a-z0-9-]+$/.test(datasetId) || !existsSync(file)) throw new NotFoundError(`No shipped sweep for "${datasetId}".`);
  const parsed = SweepDetail.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`The shipped sweep ${file} is invalid (${parsed.error.issues.slice(0, 2).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}).`);
  return { ...parsed.data, id: `${SHIPPED_PREFIX}${datasetId}`, source: 'shipped', etaSeconds: null };
}
