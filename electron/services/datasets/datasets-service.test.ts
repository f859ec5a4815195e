import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FolderScan, SampleImage, type EventName } from '../../contract/index.js';
import { createDataSource } from '../../datasets/data-source.js';
import { makeFifo, makeImageFolder, type FolderFixture } from '../../datasets/testing/image-folder.js';
import { createDatasetsService } from './datasets-service.js';

const resourcesDir = fileURLToPath(new URL('../../../resources', import.meta.url));
let fx: FolderFixture;
let dataDir: string;
const events: Array<{ event: EventName; payload: unknown }> = [];
const emit = ((event: EventName, payload: unknown) => events.push({ event, payload })) as Parameters<typeof createDatasetsService>[0]['emit'];

beforeAll(async () => {
  fx = await makeImageFolder({ n: 4, withEmptyClass: false });
  dataDir = mkdtempSync(join(tmpdir(), 'tl-datadir-'));
});
afterAll(() => {
  rmSync(fx.base, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

describe('datasets service', () => {
  it('adds a folder with progress events and a skip report, persists it, and lists it after the shipped sets', async () => {
    const svc = createDatasetsService({ resourcesDir, dataDir, emit });
    const scan = await svc['datasets.addFolder']({ path: fx.root, scanId: 'scan-1', name: 'My pets' });
    expect(() => FolderScan.parse(scan)).not.toThrow();
    expect(scan.dataset).toMatchObject({ name: 'My pets', source: 'folder', role: 'user', classes: ['cats', 'dogs'], counts: [4, 4], imageSize: [16, 20, 3] });
    expect(scan.dataset.id).toMatch(/^folder-[0-9a-f]{12}$/);
    expect(scan.skipped.map((s) => s.file)).toEqual(['cats/broken.png', 'cats/notes.txt', 'dogs/escape.png', 'dogs/tiny.png', 'linked-class', 'readme.png']);
    const progress = events.filter((e) => e.event === 'datasets.scanProgress').map((e) => e.payload);
    expect(progress.at(-1)).toEqual({ scanId: 'scan-1', done: 11, total: 11 });

    // A fresh service (as after a restart) reads the registration back; the write left no temp file.
    const list = await createDatasetsService({ resourcesDir, dataDir, emit })['datasets.list']({});
    expect(list.map((d) => d.id)).toEqual(['fashion-source', 'fashion-target', 'digits', scan.dataset.id]);
    expect(readdirSync(dataDir)).toEqual(['datasets.json']);

    // Adding the same folder again updates the entry instead of duplicating it.
    await svc['datasets.addFolder']({ path: fx.root, scanId: 'scan-2' });
    const again = await svc['datasets.list']({});
    expect(again.filter((d) => d.source === 'folder')).toHaveLength(1);
    expect(again.at(-1)!.name).toBe('pets');
  });

  it('gives clear errors for a relative path, an empty class, a busy scan id and a cancelled scan', async () => {
    const svc = createDatasetsService({ resourcesDir, dataDir, emit });
    await expect(svc['datasets.addFolder']({ path: 'pets', scanId: 'a' })).rejects.toThrow(/full path/);
    const withEmpty = await makeImageFolder({ n: 2 });
    try {
      await expect(svc['datasets.addFolder']({ path: withEmpty.root, scanId: 'b' })).rejects.toThrow(/Class "birds" has no usable images.*corrupt or truncated image: cats\/broken\.png/);
    } finally {
      rmSync(withEmpty.base, { recursive: true, force: true });
    }
    const first = svc['datasets.addFolder']({ path: fx.root, scanId: 'busy' });
    await expect(svc['datasets.addFolder']({ path: fx.root, scanId: 'busy' })).rejects.toThrow(/already running/);
    await svc['datasets.cancelScan']({ scanId: 'busy' });
    await expect(first).rejects.toThrow('Folder scan cancelled.');
    expect(await svc['datasets.cancelScan']({ scanId: 'never-started' })).toEqual({ ok: true });
  });

  it('renders shipped and folder samples, refusing ids that try to leave the folder', async () => {
    const svc = createDatasetsService({ resourcesDir, dataDir, emit });
    const shipped = await svc['datasets.samples']({ datasetId: 'fashion-target', sampleIds: ['fashion-target:0', 'fashion-target:4999'] });
    expect(shipped.map((s) => SampleImage.parse(s).label).every((l) => ['Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'].includes(l))).toBe(true);
    expect(shipped[0].dataUrl).toMatch(/^data:image\/png;base64,/);
    await expect(svc['datasets.samples']({ datasetId: 'fashion-target', sampleIds: ['fashion-target:35000'] })).rejects.toThrow(/has 35000 images/);
    await expect(svc['datasets.samples']({ datasetId: 'fashion-target', sampleIds: ['digits:1'] })).rejects.toThrow(/not a sample id/);

    const folderId = (await svc['datasets.list']({})).at(-1)!.id;
    const fromFolder = await svc['datasets.samples']({ datasetId: folderId, sampleIds: ['dogs/dog1.png', 'cats/gone.png'] });
    expect(fromFolder.map((s) => [s.id, s.label])).toEqual([['dogs/dog1.png', 'dogs']]);
    await expect(svc['datasets.samples']({ datasetId: folderId, sampleIds: ['../outside/secret.png'] })).rejects.toThrow(/not a sample id/);
    await expect(svc['datasets.samples']({ datasetId: folderId, sampleIds: ['dogs/escape.png'] })).rejects.toThrow(/outside the data set's folder/);
  });

  it.skipIf(process.platform !== 'linux')('refuses /proc as a folder of images before reading anything', async () => {
    const svc = createDatasetsService({ resourcesDir, dataDir, emit });
    await expect(svc['datasets.addFolder']({ path: '/proc', scanId: 'proc' })).rejects.toThrow(/^\/proc is a system folder/);
    expect(events.some((e) => (e.payload as { scanId?: string }).scanId === 'proc')).toBe(false);
  });

  it('answers sample requests for a FIFO named x.png, and every later file call still works', async () => {
    const svc = createDatasetsService({ resourcesDir, dataDir, emit });
    const folderId = (await svc['datasets.list']({})).at(-1)!.id;
    makeFifo(join(fx.root, 'cats', 'x.png'));
    try {
      const answers = await Promise.all([1, 2, 3, 4, 5].map(() => svc['datasets.samples']({ datasetId: folderId, sampleIds: ['cats/x.png'] })));
      expect(answers.flat()).toEqual([]);
      expect((await svc['datasets.list']({})).at(-1)!.id).toBe(folderId);
      expect((await svc['datasets.samples']({ datasetId: folderId, sampleIds: ['dogs/dog0.png'] })).map((s) => s.id)).toEqual(['dogs/dog0.png']);
    } finally {
      rmSync(join(fx.root, 'cats', 'x.png'));
    }
  });

  it('feeds the engine: shipped subsets and registered folders through one DataSource', async () => {
    const source = createDataSource({ resourcesDir, dataDir });
    const digits = await source.load({ id: 'digits', perClass: 5 }, { targetShape: [32, 32, 3], seed: 1 });
    expect(digits.shape).toEqual([28, 28, 1]); // shipped sets keep their native size
    expect(digits.labels.length).toBe(50 + 2000); // the subset, then the fixed test pool

    const folderId = (await createDatasetsService({ resourcesDir, dataDir, emit })['datasets.list']({})).at(-1)!.id;
    const seen: Array<[number, number]> = [];
    const pets = await source.load({ id: folderId, perClass: 3 }, { targetShape: [24, 24, 1], seed: 2, onProgress: (d, t) => seen.push([d, t]) });
    expect(pets).toMatchObject({ datasetId: folderId, classes: ['cats', 'dogs'], shape: [24, 24, 1] });
    expect(pets.pixels.length).toBe(6 * 24 * 24);
    expect(Array.from(pets.labels).sort()).toEqual([0, 0, 0, 1, 1, 1]); // unusable files never count towards a subset
    const [done, total] = seen.at(-1)!;
    expect(done).toBe(total);
    expect(done).toBeGreaterThanOrEqual(6);
    await expect(source.load({ id: 'folder-000000000000', perClass: null }, { targetShape: [8, 8, 1], seed: 0 })).rejects.toThrow(/Unknown data set/);
  });

  it('removes a registration (never the images) and refuses to remove shipped or unknown sets', async () => {
    const svc = createDatasetsService({ resourcesDir, dataDir, emit });
    const id = (await svc['datasets.list']({})).at(-1)!.id;
    await expect(svc['datasets.remove']({ id: 'digits' })).rejects.toThrow(/ships with the app/);
    await expect(svc['datasets.remove']({ id: 'folder-nope' })).rejects.toThrow(/No data set with id "folder-nope"/);
    expect(await svc['datasets.remove']({ id })).toEqual({ ok: true });
    expect((await svc['datasets.list']({})).map((d) => d.source)).toEqual(['shipped', 'shipped', 'shipped']);
    expect(existsSync(join(fx.root, 'cats', 'cat0.png'))).toBe(true);
  });

  it('sets a damaged registry file aside instead of failing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-datadir-'));
    writeFileSync(join(dir, 'datasets.json'), '{ not json');
    const list = await createDatasetsService({ resourcesDir, dataDir: dir, emit })['datasets.list']({});
    expect(list).toHaveLength(3);
    expect(readdirSync(dir).some((f) => f.startsWith('datasets.json.damaged-'))).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });

  it('marks a registered folder that has moved', async () => {
    const svc = createDatasetsService({ resourcesDir, dataDir, emit });
    const { dataset } = await svc['datasets.addFolder']({ path: fx.root, scanId: 'm' });
    renameSync(fx.root, fx.root + '-moved');
    try {
      const info = (await svc['datasets.list']({})).find((d) => d.id === dataset.id)!;
      expect(info.description).toMatch(/Folder not found at/);
      expect(JSON.parse(readFileSync(join(dataDir, 'datasets.json'), 'utf8')).folders).toHaveLength(1);
    } finally {
      renameSync(fx.root + '-moved', fx.root);
    }
  });
});
