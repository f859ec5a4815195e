// The models service: shipped, catalog (downloadable) and imported backbones for the UI. It never
// loads a model itself: what it shows comes from JSON beside each model (facts, sidecar, card), and
// facts it lacks come from the worker (createFactsCache).
import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { BackboneInfo, Emit, Handlers } from '../../contract/index.js';
import { catalogDir, importedDir, locateBackbone, modelsRoot, type BackboneDirs } from '../../models/backbone-dirs.js';
import { readCard } from '../../models/card.js';
import { MODEL_JSON } from '../../models/model-files.js';
import { readSidecar } from '../../models/sidecar.js';
import { CATALOG, type CatalogEntry } from './catalog.js';
import { downloadCatalogModel } from './download.js';
import { createFactsCache, NotDescribedError, type DescribeModel } from './facts-cache.js';
import { copyModelFolder, writeImportedSidecar } from './import.js';
import { backboneInfo } from './info.js';

export type ModelsHandlers = Pick<Handlers, 'models.list' | 'models.download' | 'models.cancelDownload' | 'models.remove' | 'models.import'>;

export interface ModelsServiceOptions extends BackboneDirs {
  emit: Emit;
  /** The worker's describeModel request (the training service's describeModel). */
  describeModel: DescribeModel;
  /** Defaults to the MobileNet v1 catalog. */
  catalog?: readonly CatalogEntry[];
  env?: Record<string, string | undefined>;
  /** Minimum milliseconds between two progress events of one download. */
  progressIntervalMs?: number;
}

const subdirs = (dir: string) => (existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name).sort() : []);

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function createModelsService(opts: ModelsServiceOptions): ModelsHandlers {
  const catalog = opts.catalog ?? CATALOG;
  const dirs: BackboneDirs = { resourcesDir: opts.resourcesDir, dataDir: opts.dataDir };
  const active = new Map<string, { controller: AbortController; done: Promise<BackboneInfo> }>();
  const facts = createFactsCache(opts.describeModel);

  async function describe(id: string): Promise<BackboneInfo> {
    const where = locateBackbone(id, dirs);
    if (!where) throw new Error(`Model '${id}' is not available: it is not shipped, downloaded or imported`);
    const answer = await facts.get(id, where).catch((e) => {
      if (e instanceof NotDescribedError) throw new NotDescribedError(`Model '${id}' could not be checked: the training process did not describe it (${e.message}). It is checked again the next time models are listed.`);
      throw new Error(`Model '${id}' is not available: ${message(e)}`);
    });
    if (!answer.usable) throw new Error(`Model '${id}' is not available: ${answer.reason}`);
    try {
      const sidecar = await readSidecar(where.dir);
      const card = sidecar?.card ?? (await readCard(where.dir));
      return backboneInfo({ id, source: where.source, facts: answer.facts, sidecar, card });
    } catch (e) {
      throw new Error(`Model '${id}' is not available: ${message(e)}`);
    }
  }

  /** A listed model whose files are damaged is shown as unavailable with the reason. */
  async function describeOrBroken(id: string, fallback: Omit<BackboneInfo, 'available'>): Promise<BackboneInfo> {
    try {
      return await describe(id);
    } catch (e) {
      if (e instanceof NotDescribedError) return { ...fallback, available: false, description: e.message };
      return { ...fallback, available: false, description: `${message(e)}. Remove it and ${fallback.source === 'catalog' ? 'download' : 'import'} it again.` };
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
          facts.forget(id);
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
      facts.forget(id);
      return { ok: true as const };
    },

    async 'models.import'({ path: source, name, preprocess }) {
      const copied = await copyModelFolder(source, opts.dataDir, name, preprocess);
      const refuse = async (why: string): Promise<never> => {
        await rm(copied.dir, { recursive: true, force: true });
        facts.forget(copied.id);
        throw new Error(`Cannot import ${source}: ${why}`);
      };
      const answer = await facts.get(copied.id, { source: 'imported', dir: copied.dir })
        .catch((e) => refuse(e instanceof NotDescribedError ? `the training process could not check it (${e.message})` : message(e)));
      if (!answer.usable) return refuse(answer.reason);
      try {
        await writeImportedSidecar(copied, answer.facts);
        return await describe(copied.id);
      } catch (e) {
        return refuse(message(e));
      }
    },
  };
}
