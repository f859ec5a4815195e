// The engine's single entry point for data: shipped sets by id, registered user folders by id.
import type { DatasetRef } from '../contract/index.js';
import type { z } from 'zod';
import type { DataLoadOptions, DataSource, LoadedData } from './types.js';
import { decodeFolder } from './folder-decode.js';
import { findFolder, isFolderId } from './folder-registry.js';
import { isShippedDatasetId, loadShippedDataset } from './shipped.js';

export interface DataDirs { resourcesDir: string; dataDir: string }
type Ref = z.output<typeof DatasetRef>;

export function createDataSource({ resourcesDir, dataDir }: DataDirs): DataSource {
  return {
    async load(ref: Ref, opts: DataLoadOptions): Promise<LoadedData> {
      if (opts.signal?.aborted) throw Object.assign(new Error('Loading data cancelled.'), { name: 'AbortError' });
      if (isShippedDatasetId(resourcesDir, ref.id)) {
        // Shipped sets stay at their native 28×28×1: the engine resizes per batch.
        const data = await loadShippedDataset(resourcesDir, ref.id, ref.perClass, opts.seed);
        opts.onProgress?.(data.labels.length, data.labels.length);
        return data;
      }
      const entry = isFolderId(ref.id) ? await findFolder(dataDir, ref.id) : undefined;
      if (!entry) throw new Error(`Unknown data set "${ref.id}": it is neither shipped nor a registered folder (was it removed?).`);
      const { skipped: _skipped, ...data } = await decodeFolder(entry.path, opts.targetShape, {
        perClass: ref.perClass,
        seed: opts.seed,
        signal: opts.signal,
        onProgress: opts.onProgress,
        datasetId: ref.id,
        testPerClass: ref.testPerClass,
      });
      return data;
    },
  };
}
