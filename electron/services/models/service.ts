// The models service: shipped, catalog (downloadable) and imported backbones for the UI.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { BackboneInfo, Emit, Handlers } from '../../contract/index.js';
import { describeBackbone } from '../../training/backbones/describe.js';
import { catalogDir, importedDir, locateBackbone, modelsRoot, type BackboneDirs } from '../../training/backbones/load.js';
import { MODEL_JSON } from '../../training/backbones/model-files.js';
import { CATALOG, type CatalogEntry } from './catalog.js';
import { downloadCatalogModel } from './download.js';
import { importModelFolder } from './import.js';

export type ModelsHandlers = Pick<Handlers, 'models.list' | 'models.download' | 'models.cancelDownload' | 'models.remove' | 'models.import'>;

export interface ModelsServiceOptions extends BackboneDirs {
  emit: Emit;
  /** Defaults to the MobileNet v1 catalog. */
  catalog?: readonly CatalogEntry[];
  env?: Record<string, string | undefined>;
  /** Minimum milliseconds between two progress events of one download. */
  progressIntervalMs?: number;
}

const subdirs = (dir: string) => (existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name).sort() : []);

export function createModelsService(opts: ModelsServiceOptions): ModelsHandlers {
  const catalog = opts.catalog ?? CATALOG;
  const dirs: BackboneDirs = { resourcesDir: opts.resourcesDir, dataDir: opts.dataDir };
  const active = new Map<string, { controller: AbortController; done: Promise<BackboneInfo> }>();
  // Describing loads the weights (MobileNet 1.0: 17 MB); remember it until the files change.
  const described = new Map<string, { stamp: string; info: BackboneInfo }>();

  async function describe(id: string): Promise<BackboneInfo> {
    const where = locateBackbone(id, dirs);
    if (!where) throw new Error(`Model '${id}' is not available: it is not shipped, downloaded or imported`);
    // Any file written, replaced or resized in the folder invalidates the remembered description.
    const stamp = where.dir + readdirSync(where.dir).sort().map((f) => {
      const s = statSync(path.join(where.dir, f));
      return `|${f}:${s.size}:${s.mtimeMs}`;
    }).join('');
    const hit = described.get(id);
    if (hit && hit.stamp === stamp) return hit.info;
    const info = await describeBackbone(id, dirs);
    described.set(id, { stamp, info });
    return info;
  }

  /** A listed model whose files are damaged is shown as unavailable with the reason. */
  async function describeOrBroken(id: string, fallback: Omit<BackboneInfo, 'available'>): Promise<BackboneInfo> {
    try {
      return await describe(id);
    } catch (e) {
      return { ...fallback, available: false, description: `${(e as Error).message}. Remove it and ${fallback.source === 'catalog' ? 'download' : 'import'} it again.` };
    }
  }

  const plannedInfo = (e: CatalogEntry): BackboneInfo => ({
    id: e.id, name: e.name, source: 'catalog', available: false, description: e.description, license: e.license, card: e.card, ...e.planned,
  });

  return {
    async 'models.list'() {
      const out: BackboneInfo[] = [];
      for (const id of subdirs(path.join(opts.resourcesDir, 'models'))) {
        if (!existsSync(path.join(opts.resourcesDir, 'models', id, MODEL_JSON))) continue;
        out.push(await describeOrBroken(id, { id, name: id, source: 'shipped', format: 'layers', canFineTune: false, inputShape: [0, 0, 0], sizeBytes: 0, totalParams: 0, blockParams: [], headParamsPerClass: 0, description: '', license: '' }));
      }
      for (const e of catalog) {
        const downloaded = existsSync(path.join(catalogDir(opts.dataDir, e.id), MODEL_JSON));
        if (!downloaded) out.push(plannedInfo(e));
        else {
          const info = await describeOrBroken(e.id, { ...plannedInfo(e) });
          out.push({ ...info, name: e.name, source: 'catalog' });
        }
      }
      for (const id of subdirs(path.join(modelsRoot(opts.dataDir), 'imported'))) {
        out.push(await describeOrBroken(id, { id, name: id, source: 'imported', format: 'layers', canFineTune: false, inputShape: [0, 0, 0], sizeBytes: 0, totalParams: 0, blockParams: [], headParamsPerClass: 0, description: '', license: 'unknown' }));
      }
      return out;
    },

    async 'models.download'({ id }) {
      const entry = catalog.find((e) => e.id === id);
      if (!entry) throw new Error(`Model '${id}' is not in the catalog (available: ${catalog.map((e) => e.id).join(', ')})`);
      const running = active.get(id);
      if (running) return running.done; // a second click joins the download in progress
      const controller = new AbortController();
      const interval = opts.progressIntervalMs ?? 100;
      let lastEmit = 0;
      let last = { received: 0, total: null as number | null };
      const done = (async () => {
        try {
          await downloadCatalogModel(entry, {
            dataDir: opts.dataDir, signal: controller.signal, env: opts.env,
            onProgress: (p) => {
              last = p;
              const now = Date.now();
              if (now - lastEmit >= interval) {
                lastEmit = now;
                opts.emit('models.downloadProgress', { id, received: p.received, total: p.total, done: false });
              }
            },
          });
          described.delete(id);
          const info = await describe(id);
          return { ...info, name: entry.name, source: 'catalog' as const };
        } finally {
          active.delete(id);
          opts.emit('models.downloadProgress', { id, received: last.received, total: last.total, done: true });
        }
      })();
      active.set(id, { controller, done });
      return done;
    },

    async 'models.cancelDownload'({ id }) {
      active.get(id)?.controller.abort();
      return { ok: true as const };
    },

    async 'models.remove'({ id }) {
      const where = locateBackbone(id, dirs);
      if (!where) throw new Error(`Model '${id}' is not downloaded or imported, so there is nothing to remove`);
      if (where.source === 'shipped') throw new Error(`Model '${id}' ships with the app and cannot be removed`);
      active.get(id)?.controller.abort();
      await rm(where.source === 'catalog' ? catalogDir(opts.dataDir, id) : importedDir(opts.dataDir, id), { recursive: true, force: true });
      described.delete(id);
      return { ok: true as const };
    },

    async 'models.import'({ path: source, name }) {
      const id = await importModelFolder(source, opts.dataDir, name);
      try {
        return await describe(id);
      } catch (e) {
        await rm(importedDir(opts.dataDir, id), { recursive: true, force: true });
        throw e;
      }
    },
  };
}
