// Downloading a catalog model: model.json, then each weight shard, streamed with progress events,
// cancellable, into a temporary folder that is renamed into the cache only once every size is right.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { catalogDir, modelsRoot } from '../../models/backbone-dirs.js';
import { checkShardSizes, parseModelJson, weightBytes, writeIntegrity, MODEL_JSON } from '../../models/model-files.js';
import { SIDECAR_FILE, type BackboneSidecar } from '../../models/sidecar.js';
import { modelJsonUrl, weightUrl, type CatalogEntry } from './catalog.js';

export interface DownloadProgress { received: number; total: number | null }

export interface DownloadOptions {
  dataDir: string;
  signal: AbortSignal;
  onProgress: (p: DownloadProgress) => void;
  env?: Record<string, string | undefined>;
}

class Cancelled extends Error {}

async function fetchOk(url: string, signal: AbortSignal): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { signal, redirect: 'follow' });
  } catch (e) {
    if (signal.aborted) throw new Cancelled();
    throw new Error(`cannot reach ${url} (${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message})`);
  }
  if (!res.ok) throw new Error(`${url} answered HTTP ${res.status} ${res.statusText}`.trim());
  if (!res.body) throw new Error(`${url} sent no body`);
  return res;
}

/** Streams a response body to `file`, reporting every chunk; returns the bytes written. */
async function streamToFile(res: Response, file: string, signal: AbortSignal, onChunk: (n: number) => void): Promise<number> {
  const out = createWriteStream(file);
  let bytes = 0;
  try {
    const reader = res.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      onChunk(value.byteLength);
      if (!out.write(value)) await once(out, 'drain');
    }
  } catch (e) {
    if (signal.aborted) throw new Cancelled();
    throw new Error(`the download of ${path.basename(file)} broke off (${(e as Error).message})`);
  } finally {
    out.end();
    await once(out, 'close');
  }
  return bytes;
}

/** Downloads `entry` into <dataDir>/models/catalog/<id>/ and records sizes and sha256 hashes. */
export async function downloadCatalogModel(entry: CatalogEntry, opts: DownloadOptions): Promise<string> {
  const { signal } = opts;
  const tmp = path.join(modelsRoot(opts.dataDir), '.partial', `${entry.id}-${randomUUID()}`);
  await mkdir(tmp, { recursive: true });
  try {
    const url = modelJsonUrl(entry, opts.env);
    let received = 0;
    let total: number | null = null;
    const report = (n: number) => {
      received += n;
      opts.onProgress({ received, total });
    };
    const jsonText = await (await fetchOk(url, signal)).text();
    const json = parseModelJson(jsonText);
    // Every weight URL is checked before the first one is fetched.
    const shards = json.weightsManifest.flatMap((g) => g.paths).map((file) => ({ file, url: weightUrl(file, url) }));
    // The manifest says exactly how many bytes the weights need, whatever the server announces.
    total = Buffer.byteLength(jsonText) + json.weightsManifest.flatMap((g) => g.weights).reduce((a, w) => a + weightBytes(w), 0);
    await writeFile(path.join(tmp, MODEL_JSON), jsonText);
    report(Buffer.byteLength(jsonText));
    const sizes = new Map<string, number>();
    for (const { file, url: shardUrl } of shards) {
      const res = await fetchOk(shardUrl, signal);
      sizes.set(file, await streamToFile(res, path.join(tmp, file), signal, report));
    }
    if (signal.aborted) throw new Cancelled();
    checkShardSizes(json.weightsManifest, (f) => sizes.get(f) ?? null);
    const sidecar: BackboneSidecar = { name: entry.name, description: entry.description, license: entry.license, origin: url, preprocess: entry.preprocess, card: entry.card };
    await writeFile(path.join(tmp, SIDECAR_FILE), JSON.stringify(sidecar, null, 2));
    // We cannot know upstream hashes offline (none are published), so the sha256 recorded here is
    // of what we received; every later load verifies the files still match it.
    await writeIntegrity(tmp, url);
    const dest = catalogDir(opts.dataDir, entry.id);
    await mkdir(path.dirname(dest), { recursive: true });
    await rm(dest, { recursive: true, force: true });
    await rename(tmp, dest); // atomic: the cache never holds a half-written model
    return dest;
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    if (e instanceof Cancelled || signal.aborted) throw new Error(`Download of '${entry.id}' was cancelled`);
    throw new Error(`Download of '${entry.id}' failed: ${(e as Error).message}`);
  }
}
