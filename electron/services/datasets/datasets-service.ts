// The datasets.* methods: list shipped sets and registered folders, scan and register a folder
// (with progress and cancel), remove a registration, and render sample images.
import { existsSync } from 'node:fs';
import { basename, isAbsolute } from 'node:path';
import type { DatasetInfo, Emit, FolderScan, Handlers } from '../../contract/index.js';
import { folderIdFor, isFolderId, readRegistry, writeRegistry, type FolderEntry } from '../../datasets/folder-registry.js';
import { scanFolder, type ScanResult } from '../../datasets/folder-scan.js';
import { renderSampleImages } from '../../datasets/samples.js';
import { isShippedDatasetId, listShippedDatasets } from '../../datasets/shipped.js';

export type DatasetsHandlers = Pick<Handlers, 'datasets.list' | 'datasets.addFolder' | 'datasets.cancelScan' | 'datasets.remove' | 'datasets.samples'>;
export interface DatasetsServiceOptions { resourcesDir: string; dataDir: string; emit: Emit }

function describe(scan: ScanResult): string {
  const total = scan.counts.reduce((a, b) => a + b, 0);
  const skipped = scan.skipped.length ? `; ${scan.skipped.length} file(s) skipped when it was added` : '';
  return `${total} images in ${scan.classes.length} classes from ${scan.root}${skipped}.`;
}

export function createDatasetsService({ resourcesDir, dataDir, emit }: DatasetsServiceOptions): DatasetsHandlers {
  const scans = new Map<string, AbortController>();
  // Registry changes run one at a time so two quick adds cannot overwrite each other.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = chain.then(fn);
    chain = p.catch(() => undefined);
    return p;
  };

  return {
    async 'datasets.list'() {
      const folders = (await readRegistry(dataDir)).map((f): DatasetInfo =>
        existsSync(f.path) ? f.info : { ...f.info, description: `Folder not found at ${f.path}: move it back or remove this data set.` });
      return [...listShippedDatasets(resourcesDir), ...folders];
    },

    async 'datasets.addFolder'({ path, scanId, name }): Promise<FolderScan> {
      if (!isAbsolute(path)) throw new Error(`Choose the folder by its full path (got "${path}").`);
      if (scans.has(scanId)) throw new Error(`A scan with id "${scanId}" is already running.`);
      const controller = new AbortController();
      scans.set(scanId, controller);
      try {
        const scan = await scanFolder(path, {
          signal: controller.signal,
          onProgress: (done, total) => emit('datasets.scanProgress', { scanId, done, total }),
        });
        const id = folderIdFor(scan.root);
        const info: DatasetInfo = {
          id,
          name: name?.trim() || basename(scan.root),
          source: 'folder',
          role: 'user',
          description: describe(scan),
          classes: scan.classes,
          counts: scan.counts,
          imageSize: scan.imageSize,
          path: scan.root,
        };
        await serial(async () => {
          const entry: FolderEntry = { id, path: scan.root, addedAt: new Date().toISOString(), info };
          await writeRegistry(dataDir, [...(await readRegistry(dataDir)).filter((f) => f.id !== id), entry]);
        });
        return { dataset: info, thumbnails: scan.thumbnails, skipped: scan.skipped };
      } finally {
        scans.delete(scanId);
      }
    },

    async 'datasets.cancelScan'({ scanId }) {
      // Unknown ids are fine: the scan may have just finished.
      scans.get(scanId)?.abort();
      return { ok: true as const };
    },

    async 'datasets.remove'({ id }) {
      if (isShippedDatasetId(resourcesDir, id)) throw new Error(`"${id}" ships with the app and cannot be removed.`);
      return serial(async () => {
        const folders = await readRegistry(dataDir);
        if (!isFolderId(id) || !folders.some((f) => f.id === id)) throw new Error(`No data set with id "${id}".`);
        // Only the registration goes; the user's images stay where they are.
        await writeRegistry(dataDir, folders.filter((f) => f.id !== id));
        return { ok: true as const };
      });
    },

    async 'datasets.samples'({ datasetId, sampleIds }) {
      return renderSampleImages({ resourcesDir, dataDir }, datasetId, sampleIds);
    },
  };
}
