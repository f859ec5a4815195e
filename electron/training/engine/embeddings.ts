// Feature extraction's cache: the frozen base's embedding of every image, computed once in
// inference mode and kept in memory and in a store, keyed by backbone (its model files' hashes and
// its weights), data set and preprocessing, so a different model under a reused id never gets the
// old one's embeddings. Rows are kept per image (embedding-segments.ts): a run on any subset of a
// set embeds only the images no earlier run on that set embedded, so a sweep costs about one pass.
import * as tf from '@tensorflow/tfjs';
import type { LoadedBackbone, LoadedData } from '../types.js';
import type { EmbeddingStore } from './deps.js';
import { chunked, claimedByOther, claimKey, decodeSegment, encodeSegment, readSegments, rowIds, segmentKey, SegmentMemory, shuffled, WantedRows, type Claims, type Segment } from './embedding-segments.js';
import { createSha1, createSha256 } from './hash.js';
import { inputBatch, PREPROCESSING_VERSION } from './images.js';
import { preprocessingDigest } from './preprocessing.js';
import type { EmbedLink } from './embed-link.js';
import type { EmbedHelpers } from './embedding-threads.js';
import { CancelledError } from './loop.js';
import type { PrefixRows } from './prefix-rows.js';
import { yieldToEventLoop } from './progress.js';

export interface Embeddings { features: Float32Array; count: number; dim: number }
export type EmbeddingSource = 'memory' | 'disk' | 'computed';

const MEMORY_LIMIT_BYTES = 512 * 1024 * 1024;
/** Rows computed between two looks at the store (for rows other workers stored meanwhile). */
const CHUNK_ROWS = 256;
const memory = new SegmentMemory(MEMORY_LIMIT_BYTES);

/** Runs the frozen base in inference mode: images → [n, featureSize]. */
export function extractFeatures(backbone: LoadedBackbone, x: tf.Tensor4D): tf.Tensor2D {
  if (backbone.model) return backbone.model.predict(x) as tf.Tensor2D;
  if (backbone.predictFeatures) return backbone.predictFeatures(x);
  throw new Error(`Backbone "${backbone.id}" has neither a layers model nor a feature function.`);
}

/** Fingerprint of the backbone's current weights, so re-trained or re-imported weights miss the cache.
 *  Layer by layer: a model's own weight list puts trainable weights first, so it changes order when
 *  fine-tuning unfreezes blocks, and the same weights would miss the feature-extraction run's rows. */
export function weightsDigest(backbone: LoadedBackbone): string {
  const hash = createSha1().update(backbone.id).update(backbone.inputShape.join('x'));
  for (const w of backbone.model?.layers.flatMap((l) => l.weights) ?? []) {
    const v = w.read().dataSync();
    hash.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  }
  return hash.hex();
}

/** A loaded backbone that came from a model folder carries the files as read (backbones/load.ts). */
interface FromFolder { folder?: { contents?: Map<string, Uint8Array> } }

/**
 * sha256 of every file of the backbone's model folder (the hashes integrity.json records), or ''
 * for a backbone built in memory. A graph model's weights cannot be read back like a layers model's,
 * so without this a graph model re-imported under a freed id would hit the old model's cache.
 */
export function modelFilesDigest(backbone: LoadedBackbone): string {
  const contents = (backbone as LoadedBackbone & FromFolder).folder?.contents;
  if (!contents) return '';
  const hash = createSha256();
  for (const name of [...contents.keys()].sort()) hash.update(`${name}\t${createSha256().update(contents.get(name)!).hex()}\n`);
  return hash.hex();
}

/**
 * The key of one data set's rows under one backbone: the set's images (not the subset drawn from
 * them), the model's files, weights and preprocessing, and the backend (float results differ
 * slightly between wasm, cpu and native). Lower-case hex: the prefix of every segment of those rows.
 */
export function embeddingCacheKey(backbone: LoadedBackbone, data: Pick<LoadedData, 'fingerprint' | 'setFingerprint'>): { key: string } {
  const key = createSha256()
    .update([
      backbone.id, data.setFingerprint ?? data.fingerprint, PREPROCESSING_VERSION, preprocessingDigest(backbone), modelFilesDigest(backbone), weightsDigest(backbone), tf.getBackend(),
    ].join('|'))
    .hex().slice(0, 32);
  return { key };
}

/** Embeddings of the images at `indices` (all images when omitted), batch by batch; with `helpers`,
 *  the threads ready take batches too, each the next one left as it finishes one. */
export async function computeEmbeddings(
  backbone: LoadedBackbone, data: LoadedData,
  opts: {
    indices?: Int32Array; batchSize?: number; signal?: AbortSignal; onProgress?: (done: number, total: number) => void; helpers?: EmbedHelpers;
    /** keep: this thread's batches go through the split base and keep the prefix's output;
     *  use: kept rows only go through the suffix, and this thread takes its batches from the end
     *  (put the kept rows there), the helpers, running the whole base, from the start. */
    prefix?: { rows: PrefixRows; mode: 'keep' | 'use' };
  } = {},
): Promise<Embeddings> {
  const indices = opts.indices ?? Int32Array.from({ length: data.labels.length }, (_, i) => i);
  const size = opts.batchSize ?? 128;
  const helpers = opts.helpers;
  helpers?.expect(indices.length);
  let features: Float32Array | null = null;
  let next = 0;
  let last = indices.length;
  let done = 0;
  const take = (): { start: number; idx: Int32Array } | null => {
    if (next >= last || opts.signal?.aborted) return null;
    const start = next;
    next = Math.min(last, next + size);
    return { start, idx: indices.subarray(start, next) };
  };
  const takeFromEnd = (): { start: number; idx: Int32Array } | null => {
    if (next >= last || opts.signal?.aborted) return null;
    const end = last;
    last = Math.max(next, last - size);
    return { start: last, idx: indices.subarray(last, end) };
  };
  const prefix = opts.prefix;
  const put = (b: { start: number; idx: Int32Array }, values: Float32Array) => {
    const dim = values.length / b.idx.length;
    features ??= new Float32Array(indices.length * dim);
    features.set(values, b.start * dim);
    done += b.idx.length;
    opts.onProgress?.(done, indices.length);
  };
  const here = async (idx: Int32Array): Promise<Float32Array> => {
    const out = tf.tidy(() => {
      if (prefix?.mode === 'keep') return prefix.rows.features(inputBatch(data, idx, backbone), idx);
      if (prefix?.rows.keptAll(idx)) return prefix.rows.keptFeatures(idx);
      return extractFeatures(backbone, inputBatch(data, idx, backbone));
    });
    const values = await out.data() as Float32Array;
    out.dispose();
    return values;
  };
  /** One thread's share: the next batch as soon as it has room for one, two in flight. */
  const serve = async (link: EmbedLink): Promise<void> => {
    const send = (b: { start: number; idx: Int32Array }) => {
      const x = tf.tidy(() => inputBatch(data, b.idx, backbone));
      const answer = link.embed(x.dataSync() as Float32Array, x.shape);
      x.dispose();
      return { b, answer };
    };
    const inFlight: { b: { start: number; idx: Int32Array }; answer: Promise<Float32Array> }[] = [];
    let failed = false;
    for (;;) {
      while (!failed && inFlight.length < 2) {
        const b = take();
        if (!b) break;
        inFlight.push(send(b));
      }
      const first = inFlight.shift();
      if (!first) return;
      try {
        put(first.b, await first.answer);
        helpers!.used.add(link);
      } catch {
        // A thread that fails takes no more; its batches are embedded here.
        if (!failed) helpers!.drop(link);
        failed = true;
        put(first.b, await here(first.b.idx));
      }
    }
  };
  const serving = new Map<EmbedLink, Promise<void>>();
  const serveReady = () => { for (const link of helpers?.ready() ?? []) if (!serving.has(link)) serving.set(link, serve(link)); };
  // Threads already up take batches first: this one takes what is left.
  serveReady();
  const takeHere = prefix?.mode === 'use' ? takeFromEnd : take;
  for (let b = takeHere(); b; b = takeHere()) {
    serveReady();
    const t0 = performance.now();
    put(b, await here(b.idx));
    helpers?.embedded(b.idx.length, (performance.now() - t0) / 1000);
    await yieldToEventLoop();
  }
  await Promise.all(serving.values());
  if (opts.signal?.aborted) throw new CancelledError();
  const dim = features ? (features as Float32Array).length / indices.length : 0;
  return { features: features ?? new Float32Array(0), count: indices.length, dim };
}

type Cached = {
  embeddings: Embeddings;
  /** 'computed' when any row went through the base, 'disk' when any came from the store, else 'memory'. */
  source: EmbeddingSource;
  /** Rows found in the cache and rows computed by this call: together, every image. */
  fromCache: number;
  computed: number;
  diskError?: string;
};
type CacheOptions = {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** The order chunks of missing rows are computed in: random unless a test fixes it. */
  chunkOrder?: (chunks: Int32Array[]) => Int32Array[];
  /** Threads that embed batches beside this one. */
  helpers?: EmbedHelpers;
  /** Keeps the frozen prefix's output of the rows computed on this thread (prefix-rows.ts). */
  prefixRows?: PrefixRows;
};

/** The rows a store that cannot list finds by their exact keys: the pool's, and the fixed test pool's. */
function rowGroups(data: LoadedData): Int32Array[] {
  const all = Int32Array.from(data.labels.keys());
  const test = data.fixedTest;
  if (!test?.length) return [all];
  const held = new Uint8Array(data.labels.length);
  for (const i of test) held[i] = 1;
  return [all.filter((i) => !held[i]), Int32Array.from(test)];
}

function idsOf(ids: Uint32Array, rows: ArrayLike<number>): Uint32Array {
  const out = new Uint32Array(rows.length * 2);
  for (let k = 0; k < rows.length; k++) out.set(ids.subarray(2 * rows[k], 2 * rows[k] + 2), 2 * k);
  return out;
}

/**
 * Cached embeddings of every image: the rows any earlier run on the same set computed, whatever
 * subset and seed it drew (from memory, else the store), and only the missing rows computed, then
 * kept as new segments (the pool's and the fixed test pool's apart) for the next run.
 */
export async function cachedEmbeddings(backbone: LoadedBackbone, data: LoadedData, store: EmbeddingStore, opts: CacheOptions = {}): Promise<Cached> {
  const { key: setKey } = embeddingCacheKey(backbone, data);
  const total = data.labels.length;
  const ids = rowIds(data.sampleIds, data.sampleDigests, Int32Array.from(data.labels.keys()));
  const groups = rowGroups(data);
  let diskError: string | undefined;
  let found: { segments: Segment[]; fromStore: number; claims: Claims } = { segments: [], fromStore: 0, claims: new Map() };
  try {
    found = await readSegments(store, memory, setKey, groups.map((g) => idsOf(ids, g)));
  } catch (err) {
    diskError = (err as Error).message;
  }
  let dim = backbone.featureSize;
  let features: Float32Array = new Float32Array(total * dim);
  const wanted = new WantedRows(ids);
  for (const seg of found.segments) wanted.take(seg, features, dim);
  const seen = new Set(found.segments.map((seg) => seg.key));
  let computed = 0;
  /** Computed rows, stored as segments: one per group, so a store that cannot list finds them by key. */
  const keep = async (rows: Int32Array, rowFeatures: Float32Array) => {
    const isRow = new Uint8Array(total);
    for (const r of rows) isRow[r] = 1;
    for (const group of store.list ? [rows] : groups) {
      const part = store.list ? rows : group.filter((i) => isRow[i]);
      if (part.length === 0) continue;
      const partFeatures = part === rows ? rowFeatures : new Float32Array(part.length * dim);
      if (part !== rows) part.forEach((row, k) => partFeatures.set(features.subarray(row * dim, (row + 1) * dim), k * dim));
      const segmentIds = idsOf(ids, part);
      const key = segmentKey(setKey, segmentIds);
      const encoded = encodeSegment(segmentIds, partFeatures, dim);
      memory.remember(decodeSegment(key, encoded)!);
      seen.add(key);
      try {
        await store.put(key, encoded);
      } catch (err) {
        diskError ??= (err as Error).message;
      }
    }
  };
  const missing = Int32Array.from(wanted.missing());
  // A store that can list is read again after every chunk, for the rows other workers stored
  // meanwhile, and chunks are claimed there first (embedding-segments.ts), so workers embedding the
  // same images at once split them instead of computing them twice.
  const shared = store.list != null;
  const order = shared ? (opts.chunkOrder ?? shuffled)(chunked(missing, CHUNK_ROWS)) : [missing];
  const worker = Math.random().toString(36).slice(2, 10);
  const chunkKeys = new Map(order.map((c) => [c, segmentKey(setKey, idsOf(ids, c))]));
  let claims = found.claims;
  const left = new Set<Int32Array>();
  const readOthers = async () => {
    try {
      const more = await readSegments(store, memory, setKey, [], seen);
      claims = more.claims;
      for (const seg of more.segments) {
        seen.add(seg.key);
        wanted.take(seg, features, dim);
      }
    } catch {
      // the rows still missing are computed here
    }
  };
  for (;;) {
    const open = order.filter((c) => c.some((r) => !wanted.filled[r]));
    if (open.length === 0) break;
    let chunk = open.find((c) => !left.has(c) && !claimedByOther(claims, chunkKeys.get(c)!, worker));
    if (chunk && shared && order.length > 1) {
      try {
        await store.put(claimKey(chunkKeys.get(chunk)!, worker), new Float32Array(0));
      } catch {
        // unclaimed, it is still computed here
      }
      await readOthers();
      if (claimedByOther(claims, chunkKeys.get(chunk)!, worker)) {
        left.add(chunk);
        continue;
      }
    }
    // Every chunk left is another worker's: computed here too (that worker may have stopped).
    chunk ??= open[0];
    const todo = chunk.filter((r) => !wanted.filled[r]);
    if (todo.length === 0) continue;
    const before = wanted.found + computed;
    // The whole pass decides whether threads pay, not one chunk of it.
    opts.helpers?.expect(missing.length - computed);
    const fresh = await computeEmbeddings(backbone, data, {
      indices: todo, signal: opts.signal, onProgress: (done) => opts.onProgress?.(before + done, total), helpers: opts.helpers,
      ...(opts.prefixRows ? { prefix: { rows: opts.prefixRows, mode: 'keep' as const } } : {}),
    });
    if (fresh.dim !== dim) {
      // The base's output is not the size it declares, so no cached row can be trusted to match it.
      const all = await computeEmbeddings(backbone, data, { signal: opts.signal, onProgress: opts.onProgress, helpers: opts.helpers });
      dim = all.dim;
      features = all.features;
      computed = total;
      await keep(Int32Array.from(data.labels.keys()), features);
      break;
    }
    todo.forEach((row, k) => features.set(fresh.features.subarray(k * dim, (k + 1) * dim), row * dim));
    wanted.fill(todo);
    computed += todo.length;
    await keep(todo, fresh.features);
    if (shared && order.length > 1) await readOthers();
  }
  if (computed === 0) opts.onProgress?.(total, total);
  const source: EmbeddingSource = computed > 0 ? 'computed' : found.fromStore > 0 ? 'disk' : 'memory';
  return { embeddings: { features, count: total, dim }, source, fromCache: total - computed, computed, ...(diskError ? { diskError } : {}) };
}

/** What the run's notes say of its embeddings: how many rows the cache held and how many were computed. */
export function embeddingCacheNote(cached: Pick<Cached, 'source' | 'fromCache' | 'computed'>): string {
  const total = cached.fromCache + cached.computed;
  if (cached.fromCache === 0) return `Embeddings of ${total} images computed once with the frozen base and cached.`;
  const where = cached.source === 'memory' ? 'memory' : 'disk';
  if (cached.computed === 0) return `Embeddings of all ${total} images came from the ${where} cache (earlier runs on this data set computed them): no image went through the frozen base again.`;
  return `Embeddings: ${cached.fromCache} of ${total} images came from the cache (earlier runs on this data set, whatever subset they drew), ${cached.computed} were computed with the frozen base and cached.`;
}

/** Forgets the rows kept in memory, so a test reads the store as a new worker process would. */
export function clearEmbeddingMemory(): void {
  memory.clear();
}
