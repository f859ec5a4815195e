import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import type { EventPayload } from '../../contract/index.js';
import { catalogDir, importedDir } from '../../models/backbone-dirs.js';
import { FACTS_FILE, type ModelDescription } from '../../models/facts.js';
import { filesFingerprint } from '../../models/fingerprint.js';
import { readIntegrity, writeIntegrity } from '../../models/model-files.js';
// The worker's own describe, run in this process: what the training process answers.
import { describeBackbone, describeModel } from '../../training/backbones/describe.js';
import { disposeLoaded, loadBackbone } from '../../training/backbones/load.js';
import { SIDECAR_FILE } from '../../models/sidecar.js';
import { saveLayersModelToDir } from '../../training/backbones/model-io.js';
import { buildTlResnet } from '../../training/backbones/tl-resnet.js';
import { buildMobileNetV1, buildPlainCnn, miniGraphModelFiles } from '../../training/backbones/testing/mini-models.js';
import { createModelsService, type ModelsHandlers, type ModelsServiceOptions } from './service.js';
import { mobileNetV1Params } from './catalog.js';

const SHIPPED = path.resolve(import.meta.dirname, '../../../resources/models/tl-resnet-s');
const root = mkdtempSync(path.join(tmpdir(), 'tl-models-'));
const resourcesDir = path.join(root, 'resources');
const served = path.join(resourcesDir, 'models', 'tl-resnet-s');
const ID = 'mobilenet-v1-0.25-224';
type Mode = 'ok' | 'short' | 'stall' | 'missing';
let mode: Mode = 'ok';
/** When set, the served model.json names this as its only weight file. */
let weightPath: string | null = null;
let server: Server;
let baseUrl = '';
/** Another server, standing for a host a model.json must not send the app to; counts connections. */
let other: Server;
let otherPort = 0;
let otherConnections = 0;

/** Serves the shipped model under every catalog folder name, in small slow chunks. */
async function handle(url: string, res: ServerResponse) {
  const file = path.join(served, path.basename(url));
  if (mode === 'missing' || !existsSync(file)) {
    res.writeHead(404).end('not found');
    return;
  }
  let body = readFileSync(file);
  if (weightPath != null && file.endsWith('model.json')) {
    const json = JSON.parse(body.toString('utf8'));
    json.weightsManifest[0].paths = [weightPath];
    body = Buffer.from(JSON.stringify(json));
  }
  if (mode === 'short' && file.endsWith('.bin')) body = body.subarray(0, body.length - 4096);
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  for (let off = 0; off < body.length; off += 32 * 1024) {
    res.write(body.subarray(off, off + 32 * 1024));
    if (mode === 'stall' && file.endsWith('.bin')) return; // keep the connection open, send nothing more
    await new Promise((r) => setTimeout(r, 5));
  }
  res.end();
}

let events: EventPayload<'models.downloadProgress'>[] = [];
let dataDir = '';
let svc: ModelsHandlers;
/** The ids the worker was asked to describe, in order. */
let asked: string[] = [];
/** When set, the worker cannot be reached: every describe request fails with this. */
let workerDown: string | null = null;
const worker = (id: string): Promise<ModelDescription> => {
  asked.push(id);
  if (workerDown) return Promise.reject(new Error(workerDown));
  return describeModel(id, { resourcesDir, dataDir });
};
const service = (over: Partial<ModelsServiceOptions> = {}) => createModelsService({
  resourcesDir, dataDir, env: { TL_CATALOG_BASE_URL: baseUrl }, progressIntervalMs: 0, describeModel: worker,
  emit: (e, p) => { if (e === 'models.downloadProgress') events.push(p as EventPayload<'models.downloadProgress'>); },
  ...over,
});

beforeAll(async () => {
  await tf.setBackend('cpu');
  mkdirSync(served, { recursive: true });
  if (existsSync(path.join(SHIPPED, 'model.json'))) {
    for (const f of readdirSync(SHIPPED)) writeFileSync(path.join(served, f), readFileSync(path.join(SHIPPED, f)));
  } else {
    const m = buildTlResnet({ seed: 1 }); // before the pretrained weights exist, a fresh one
    await saveLayersModelToDir(m, served);
    m.dispose();
  }
  server = createServer((req, res) => void handle(req.url ?? '/', res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tfjs`;
  other = createServer((_, res) => res.writeHead(200).end('weights'));
  other.on('connection', () => { otherConnections++; });
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  otherPort = (other.address() as AddressInfo).port;
});
afterAll(async () => {
  server?.closeAllConnections();
  if (server) await new Promise((r) => server.close(r));
  other?.closeAllConnections();
  if (other) await new Promise((r) => other.close(r));
  rmSync(root, { recursive: true, force: true });
});
beforeEach(() => {
  mode = 'ok';
  weightPath = null;
  events = [];
  dataDir = mkdtempSync(path.join(root, 'data-'));
  asked = [];
  workerDown = null;
  svc = service();
});
const leftovers = () => (existsSync(path.join(dataDir, 'models', '.partial')) ? readdirSync(path.join(dataDir, 'models', '.partial')) : []);

describe('models service: catalog downloads from a loopback server', () => {
  it('downloads with streamed progress, records hashes, lists and removes the cached model', async () => {
    const info = await svc['models.download']({ id: ID });
    expect(info).toMatchObject({ id: ID, source: 'catalog', available: true, format: 'layers', name: 'MobileNet v1 0.25 (ImageNet, 224 px)' });
    const weights = readFileSync(path.join(served, 'weights.bin'));
    const total = readFileSync(path.join(served, 'model.json')).length + weights.length;
    expect(events.length).toBeGreaterThan(5);
    expect(events.slice(0, -1).every((e, i, a) => !e.done && e.total === total && (i === 0 || e.received >= a[i - 1].received))).toBe(true);
    expect(events.at(-1)).toEqual({ id: ID, received: total, total, done: true });
    const integrity = JSON.parse(readFileSync(path.join(catalogDir(dataDir, ID), 'integrity.json'), 'utf8'));
    expect(integrity.files['weights.bin'].sha256).toBe(createHash('sha256').update(weights).digest('hex'));
    expect(leftovers()).toEqual([]);

    const list = await svc['models.list']({});
    expect(list.map((m) => [m.id, m.source, m.available])).toEqual([
      ['tl-resnet-s', 'shipped', true], [ID, 'catalog', true], ['mobilenet-v1-0.50-224', 'catalog', false], ['mobilenet-v1-1.0-224', 'catalog', false],
    ]);
    const big = list.find((m) => m.id === 'mobilenet-v1-1.0-224')!;
    expect(big).toMatchObject({ inputShape: [224, 224, 3], headParamsPerClass: 1025, canFineTune: true });
    expect(big.blockParams.length).toBe(14);
    expect(big.sizeBytes).toBeGreaterThan(16_000_000);

    await expect(svc['models.remove']({ id: 'tl-resnet-s' })).rejects.toThrow("Model 'tl-resnet-s' ships with the app and cannot be removed");
    await svc['models.remove']({ id: ID });
    expect(existsSync(catalogDir(dataDir, ID))).toBe(false);
    expect((await svc['models.list']({})).find((m) => m.id === ID)?.available).toBe(false);
    await expect(svc['models.remove']({ id: ID })).rejects.toThrow('nothing to remove');
  });

  it('cancels a download in progress and leaves nothing behind', async () => {
    mode = 'stall';
    const p = svc['models.download']({ id: ID });
    const rejected = expect(p).rejects.toThrow(`Download of '${ID}' was cancelled`);
    while (!events.some((e) => e.received > 40_000)) await new Promise((r) => setTimeout(r, 10));
    await svc['models.cancelDownload']({ id: ID });
    await rejected;
    expect(events.at(-1)?.done).toBe(true);
    expect(existsSync(catalogDir(dataDir, ID))).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('refuses a short shard and a missing file with clear errors', async () => {
    mode = 'short';
    await expect(svc['models.download']({ id: ID })).rejects.toThrow(/^Download of 'mobilenet-v1-0\.25-224' failed: weight file weights\.bin holds \d+ bytes but the manifest's shapes and dtypes need \d+/);
    expect(existsSync(catalogDir(dataDir, ID))).toBe(false);
    mode = 'missing';
    await expect(svc['models.download']({ id: ID })).rejects.toThrow(/failed: http:\/\/127\.0\.0\.1:\d+\/tfjs\/mobilenet_v1_0\.25_224\/model\.json answered HTTP 404/);
    await expect(svc['models.download']({ id: 'resnet-50' })).rejects.toThrow("Model 'resnet-50' is not in the catalog");
    expect(leftovers()).toEqual([]);
  });

  it('refuses weight paths that leave the folder of model.json before connecting anywhere', async () => {
    const folderUrl = `${baseUrl}/mobilenet_v1_0.25_224/`;
    // A scheme other than the base's makes the URL parser read the rest as a host and port.
    weightPath = `https:127.0.0.1:${otherPort}`;
    await expect(svc['models.download']({ id: ID })).rejects.toThrow(`Download of '${ID}' failed: model.json names the weight file "https:127.0.0.1:${otherPort}", which resolves to https://127.0.0.1:${otherPort}/, outside ${folderUrl}; weight files must sit beside model.json on the same server`);
    weightPath = '%2e%2e';
    await expect(svc['models.download']({ id: ID })).rejects.toThrow(`which resolves to ${baseUrl}/, outside ${folderUrl}`);
    for (const p of [`//127.0.0.1:${otherPort}/x`, '../x']) {
      weightPath = p;
      await expect(svc['models.download']({ id: ID })).rejects.toThrow(`weight file "${p}" must be a plain file name in the model folder`);
    }
    expect(otherConnections).toBe(0);
    expect(existsSync(catalogDir(dataDir, ID))).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('shows a cached model whose files changed as unavailable, with the reason', async () => {
    await svc['models.download']({ id: ID });
    const file = path.join(catalogDir(dataDir, ID), 'weights.bin');
    const w = readFileSync(file);
    w[10] ^= 1;
    writeFileSync(file, w);
    laterMtime(file);
    const entry = (await svc['models.list']({})).find((m) => m.id === ID)!;
    expect(entry.available).toBe(false);
    expect(entry.description).toContain('weights.bin changed since it was stored (sha256 mismatch)');
    // The worker's answer is kept until the files change again: listing does not ask it again.
    const n = asked.length;
    expect((await svc['models.list']({})).find((m) => m.id === ID)?.available).toBe(false);
    expect(asked.length).toBe(n);
  });
});

/** Moves a file's modification time forward, as any later write does (without waiting for the clock). */
function laterMtime(file: string) {
  const st = statSync(file);
  utimesSync(file, st.atime, new Date(st.mtimeMs + 60_000));
}

describe('models service: facts instead of loading models', () => {
  it('asks the worker once per downloaded model; later listings and restarts read facts.json', async () => {
    const info = await svc['models.download']({ id: ID });
    expect(asked).toEqual([ID]);
    const dir = catalogDir(dataDir, ID);
    const stored = JSON.parse(readFileSync(path.join(dir, FACTS_FILE), 'utf8'));
    expect(stored).toMatchObject({ format: 'layers', blockParams: info.blockParams, totalParams: info.totalParams });
    expect(stored.fingerprint).toBe(filesFingerprint((await readIntegrity(dir))!.files));

    const first = await svc['models.list']({});
    // The shipped model comes with its facts.json, so nothing in the list needs the worker.
    const restarted = await service()['models.list']({});
    expect(asked).toEqual([ID]);
    expect(restarted).toEqual(first);
    expect(first.find((m) => m.id === ID)).toEqual(info);
    expect(first.find((m) => m.id === 'tl-resnet-s')).toMatchObject({ available: true, source: 'shipped', blockParams: [176, 4672, 14528, 57728], headParamsPerClass: 65 });
  });

  it('describes a model without facts (an older download) once, and one whose files were touched again', async () => {
    await svc['models.download']({ id: ID });
    const dir = catalogDir(dataDir, ID);
    rmSync(path.join(dir, FACTS_FILE));
    const fresh = service();
    asked = [];
    const before = (await fresh['models.list']({})).find((m) => m.id === ID);
    expect(asked).toEqual([ID]);
    expect(existsSync(path.join(dir, FACTS_FILE))).toBe(true);
    await fresh['models.list']({});
    await service()['models.list']({});
    expect(asked).toEqual([ID]);

    // Same bytes, written again: described again (and still fine).
    writeFileSync(path.join(dir, 'weights.bin'), readFileSync(path.join(dir, 'weights.bin')));
    laterMtime(path.join(dir, 'weights.bin'));
    expect((await service()['models.list']({})).find((m) => m.id === ID)).toEqual(before);
    expect(asked).toEqual([ID, ID]);
    // Facts copied from another model do not pass for this one's.
    const stored = JSON.parse(readFileSync(path.join(dir, FACTS_FILE), 'utf8'));
    writeFileSync(path.join(dir, FACTS_FILE), JSON.stringify({ ...stored, fingerprint: 'f'.repeat(64), totalParams: 1 }));
    expect((await service()['models.list']({})).find((m) => m.id === ID)?.totalParams).toBe(before?.totalParams);
    expect(asked).toEqual([ID, ID, ID]);
  });

  it('says when the worker cannot be asked, and asks again on the next listing', async () => {
    await svc['models.download']({ id: ID });
    rmSync(path.join(catalogDir(dataDir, ID), FACTS_FILE));
    const fresh = service();
    workerDown = 'The training process exited unexpectedly (exit code 1).';
    const entry = (await fresh['models.list']({})).find((m) => m.id === ID)!;
    expect(entry).toMatchObject({ available: false, description: `Model '${ID}' could not be checked: the training process did not describe it (The training process exited unexpectedly (exit code 1)). It is checked again the next time models are listed.` });
    workerDown = null;
    expect((await fresh['models.list']({})).find((m) => m.id === ID)?.available).toBe(true);
  });
});

describe('models service: import', () => {
  it('imports layers and graph folders, and explains what is wrong with bad ones', async () => {
    const src = path.join(dataDir, 'src');
    const cnn = buildPlainCnn();
    await saveLayersModelToDir(cnn, path.join(src, 'cnn'));
    cnn.dispose();
    const info = await svc['models.import']({ path: path.join(src, 'cnn'), name: 'My CNN' });
    expect(info).toMatchObject({ id: 'imported-my-cnn', source: 'imported', name: 'My CNN', canFineTune: true, inputShape: [16, 16, 3], headParamsPerClass: 7 });
    expect(info.description).toBe(`Imported from ${path.join(src, 'cnn')}: layers model, 7 layers, input 16×16×3. Pixels are given in [0, 1].`);
    expect(existsSync(path.join(importedDir(dataDir, 'imported-my-cnn'), FACTS_FILE))).toBe(true);
    expect(info.blockParams).toEqual([4 * 27 + 4 + 8, 6 * 36 + 6]);

    const g = miniGraphModelFiles();
    mkdirSync(path.join(src, 'graph'), { recursive: true });
    writeFileSync(path.join(src, 'graph', 'model.json'), JSON.stringify(g.modelJson));
    writeFileSync(path.join(src, 'graph', 'group1-shard1of1.bin'), g.weights);
    const tensors = tf.memory().numTensors;
    const gi = await svc['models.import']({ path: path.join(src, 'graph', 'model.json') });
    expect(gi).toMatchObject({ format: 'graph', canFineTune: false, blockParams: [] });
    expect(tf.memory().numTensors).toBe(tensors); // validating and describing it freed its weights
    expect(gi.description).toMatch(/frozen feature extractor only/);

    const mlp = tf.sequential({ layers: [tf.layers.dense({ inputShape: [10], units: 2 })] });
    await saveLayersModelToDir(mlp, path.join(src, 'mlp'));
    mlp.dispose();
    await expect(svc['models.import']({ path: path.join(src, 'mlp') })).rejects.toThrow(`Cannot import ${path.join(src, 'mlp')}: its input has shape [null, 10]; an image model needs [batch, height, width, channels]`);
    // The worker refused it: its copy is gone again.
    expect(existsSync(importedDir(dataDir, 'imported-mlp'))).toBe(false);
    workerDown = 'The training process did not answer in time.';
    await expect(svc['models.import']({ path: path.join(src, 'graph') })).rejects.toThrow(`Cannot import ${path.join(src, 'graph')}: the training process could not check it (The training process did not answer in time)`);
    expect(existsSync(importedDir(dataDir, 'imported-graph-2'))).toBe(false);
    workerDown = null;
    rmSync(path.join(src, 'cnn', 'weights.bin'));
    await expect(svc['models.import']({ path: path.join(src, 'cnn') })).rejects.toThrow(`Cannot import ${path.join(src, 'cnn')}: weight file weights.bin is missing`);
    await expect(svc['models.import']({ path: src })).rejects.toThrow('there is no model.json');

    const list = await svc['models.list']({});
    expect(list.filter((m) => m.source === 'imported').map((m) => m.id)).toEqual(['imported-graph', 'imported-my-cnn']);
    await svc['models.remove']({ id: 'imported-my-cnn' });
    expect((await svc['models.list']({})).some((m) => m.id === 'imported-my-cnn')).toBe(false);
  });
});

describe('models service: import with a preprocessing', () => {
  it('stores the chosen preprocessing in the sidecar, and the facts are computed with it', async () => {
    const src = path.join(dataDir, 'src', 'resnetish');
    const cnn = buildPlainCnn();
    await saveLayersModelToDir(cnn, src);
    cnn.dispose();
    const info = await svc['models.import']({ path: src, name: 'Caffe CNN', preprocess: 'caffe' });
    const dir = importedDir(dataDir, info.id);
    expect(JSON.parse(readFileSync(path.join(dir, SIDECAR_FILE), 'utf8'))).toMatchObject({ name: 'Caffe CNN', preprocess: 'caffe' });
    expect(JSON.parse(readFileSync(path.join(dir, FACTS_FILE), 'utf8'))).toMatchObject({ preprocess: 'caffe' });
    expect(info.description).toMatch(/Pixels are given caffe-style: BGR, 0–255 minus the ImageNet means\.$/);
    const loaded = await loadBackbone(info.id, { resourcesDir, dataDir });
    expect((loaded as { preprocessKind?: string }).preprocessKind).toBe('caffe');
    disposeLoaded(loaded);
  });
});

describe('models service: import reads nothing outside the chosen folder', () => {
  async function cnnFolder(name: string): Promise<string> {
    const dir = path.join(dataDir, name);
    const cnn = buildPlainCnn();
    await saveLayersModelToDir(cnn, dir);
    cnn.dispose();
    rmSync(path.join(dir, 'weights.bin'));
    return dir;
  }

  it('refuses a weight file that links outside, without reading what it points to', async () => {
    const passwd = await cnnFolder('to-passwd');
    symlinkSync('/etc/passwd', path.join(passwd, 'weights.bin'));
    const err = await svc['models.import']({ path: passwd }).catch((e: Error) => e);
    expect((err as Error).message).toBe(`Cannot import ${passwd}: weight file weights.bin is a symbolic link; only real files inside the model folder are read (copy the file in instead of linking it)`);
    expect((err as Error).message).not.toContain(String(statSync('/etc/passwd').size));
    const zero = await cnnFolder('to-zero');
    symlinkSync('/dev/zero', path.join(zero, 'weights.bin'));
    await expect(svc['models.import']({ path: zero })).rejects.toThrow('weight file weights.bin is a symbolic link');
    expect(existsSync(path.join(dataDir, 'models', 'imported'))).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it.skipIf(process.platform === 'win32')('refuses a FIFO as a weight file without waiting for a writer', async () => {
    const dir = await cnnFolder('fifo');
    execFileSync('mkfifo', [path.join(dir, 'weights.bin')]);
    await expect(svc['models.import']({ path: dir })).rejects.toThrow(`Cannot import ${dir}: weight file weights.bin is a named pipe (FIFO), not a regular file`);
    // The file calls that follow still run (a blocked open would hold one of libuv's few threads).
    expect((await svc['models.list']({})).map((m) => m.id)).toContain('tl-resnet-s');
  });
});

describe('catalog facts before download', () => {
  it('match the parameters of a real MobileNet v1 built with Keras layer names', async () => {
    const m = buildMobileNetV1(0.25, 32, 10);
    const dir = catalogDir(dataDir, 'mn');
    await saveLayersModelToDir(m, dir);
    await writeIntegrity(dir, 'test');
    m.dispose();
    const facts = await describeBackbone('mn', { resourcesDir, dataDir });
    const planned = mobileNetV1Params(0.25);
    expect(facts.blockParams).toEqual(planned.blockParams);
    expect(facts.totalParams).toBe(planned.totalParams);
    expect(facts.featureSize).toBe(planned.features);
  });
});
