// The embedding cache's format: rows of embeddings keyed per image, so a run on any subset of a data
// set finds the rows earlier runs on other subsets computed, and embeds only the images none did.
// Rows are kept in append-only segments: every run that computed rows adds one segment of them and
// never changes another, so several worker processes can fill the cache at once without locks. A
// store writes each segment whole (a temporary name, then a rename) and readers take every segment
// that decodes completely; an interrupted write leaves no segment, never a torn one. Two runs that
// compute the same rows write the same bytes under the same key. All file I/O goes through
// EmbeddingStore (deps.ts), so the same format serves a disk folder, a window's host or memory.
import type { EmbeddingStore } from './deps.js';

/** A decoded segment: `count` rows of `dim` floats, row r's image named by ids[2r], ids[2r + 1]. */
export interface Segment { key: string; count: number; dim: number; ids: Uint32Array; features: Float32Array }

const MAGIC = 0x544c5347; // "TLSG"
const VERSION = 1;
const HEADER_WORDS = 4; // magic, version, count, dim

/**
 * A 64-bit name of one image within a data set: its sample id and, where its bytes are not covered
 * by the set's fingerprint (a folder's files), its content digest. Two 32-bit halves (cyrb53's mix).
 */
export function rowId(sampleId: string, digest = ''): [number, number] {
  const text = digest ? `${sampleId}\u0000${digest}` : sampleId;
  return hash64(text, 0);
}

function hash64(text: string, seed: number): [number, number] {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [h1 >>> 0, h2 >>> 0];
}

const hex8 = (n: number) => n.toString(16).padStart(8, '0');

/** The ids of the images at `indices`, two words per image. */
export function rowIds(sampleIds: readonly string[], digests: readonly string[] | undefined, indices: ArrayLike<number>): Uint32Array {
  const ids = new Uint32Array(indices.length * 2);
  for (let k = 0; k < indices.length; k++) {
    const [a, b] = rowId(sampleIds[indices[k]], digests?.[indices[k]]);
    ids[2 * k] = a;
    ids[2 * k + 1] = b;
  }
  return ids;
}

/** A segment's key: the set's key, then a digest of the rows it holds (same rows → same key). */
export function segmentKey(setKey: string, ids: Uint32Array): string {
  let text = '';
  for (let i = 0; i < ids.length; i++) text += hex8(ids[i]);
  const [a, b] = hash64(text, ids.length);
  return `${setKey}${hex8(a)}${hex8(b)}`;
}

/** One buffer: the header and ids as 32-bit words, then the rows as floats (bit-exact, never converted). */
export function encodeSegment(ids: Uint32Array, features: Float32Array, dim: number): Float32Array {
  const count = ids.length / 2;
  if (!Number.isInteger(count) || features.length !== count * dim) throw new Error(`A segment of ${count} rows of ${dim} floats needs ${count * dim} values, got ${features.length}.`);
  const buffer = new ArrayBuffer((HEADER_WORDS + ids.length + features.length) * 4);
  const words = new Uint32Array(buffer);
  words.set([MAGIC, VERSION, count, dim]);
  words.set(ids, HEADER_WORDS);
  new Float32Array(buffer, (HEADER_WORDS + ids.length) * 4).set(features);
  return new Float32Array(buffer);
}

/** The segment in `data`, or null unless it is whole and of this format (a foreign or cut file is no segment). */
export function decodeSegment(key: string, data: Float32Array): Segment | null {
  if (data.length < HEADER_WORDS) return null;
  const words = new Uint32Array(data.buffer, data.byteOffset, data.length);
  const [magic, version, count, dim] = words;
  if (magic !== MAGIC || version !== VERSION || dim === 0 || data.length !== HEADER_WORDS + count * (2 + dim)) return null;
  return {
    key, count, dim,
    ids: words.slice(HEADER_WORDS, HEADER_WORDS + 2 * count),
    features: data.slice(HEADER_WORDS + 2 * count),
  };
}

/** Decoded segments kept in memory, least recently used dropped first beyond `limitBytes`. */
export class SegmentMemory {
  private readonly segments = new Map<string, Segment>();
  constructor(private readonly limitBytes: number) {}

  get(key: string): Segment | undefined {
    const s = this.segments.get(key);
    if (s) {
      this.segments.delete(key);
      this.segments.set(key, s);
    }
    return s;
  }

  remember(s: Segment): void {
    this.segments.delete(s.key);
    this.segments.set(s.key, s);
    let total = 0;
    for (const v of this.segments.values()) total += v.features.byteLength + v.ids.byteLength;
    for (const [k, v] of this.segments) {
      if (total <= this.limitBytes || k === s.key) break;
      this.segments.delete(k);
      total -= v.features.byteLength + v.ids.byteLength;
    }
  }

  keysWithPrefix(prefix: string): string[] {
    return [...this.segments.keys()].filter((k) => k.startsWith(prefix));
  }

  bytes(): number {
    let total = 0;
    for (const v of this.segments.values()) total += v.features.byteLength + v.ids.byteLength;
    return total;
  }

  clear(): void {
    this.segments.clear();
  }
}

/** Rows asked for, by image id: where each goes in the answer. */
export class WantedRows {
  private readonly position = new Map<string, number>();
  readonly filled: Uint8Array;
  found = 0;

  constructor(readonly ids: Uint32Array) {
    for (let k = 0; k < ids.length / 2; k++) this.position.set(`${ids[2 * k]}:${ids[2 * k + 1]}`, k);
    this.filled = new Uint8Array(ids.length / 2);
  }

  get count(): number { return this.filled.length; }

  /** Copies every asked-for row `s` holds into `out` (row k of the answer at k * dim); returns how many were new. */
  take(s: Segment, out: Float32Array, dim: number): number {
    if (s.dim !== dim) return 0;
    let got = 0;
    for (let r = 0; r < s.count; r++) {
      const k = this.position.get(`${s.ids[2 * r]}:${s.ids[2 * r + 1]}`);
      if (k === undefined || this.filled[k]) continue;
      out.set(s.features.subarray(r * dim, (r + 1) * dim), k * dim);
      this.filled[k] = 1;
      got++;
    }
    this.found += got;
    return got;
  }

  /** Marks rows as filled by the caller (computed, not taken from a segment). */
  fill(rows: ArrayLike<number>): void {
    for (let i = 0; i < rows.length; i++) this.filled[rows[i]] = 1;
  }

  /** Positions (into the rows asked for) still missing. */
  missing(): number[] {
    const out: number[] = [];
    this.filled.forEach((f, k) => { if (!f) out.push(k); });
    return out;
  }
}

/**
 * Every segment of the set the store holds (memory first), or, for a store that cannot list, the
 * ones keyed by exactly these row groups, and those in memory. Segments that do not decode are
 * skipped; claims (below) are listed apart.
 */
export async function readSegments(
  store: EmbeddingStore, memory: SegmentMemory, setKey: string, groups: Uint32Array[], skip: ReadonlySet<string> = new Set(),
): Promise<{ segments: Segment[]; fromStore: number; claims: Claims }> {
  const listed = store.list ? await store.list(setKey) : groups.map((ids) => segmentKey(setKey, ids));
  const claims = claimsIn(listed);
  // Segments kept in memory count too, even where the store could not take them.
  const keys = [...listed.filter((k) => !isClaim(k)), ...memory.keysWithPrefix(setKey)];
  const segments: Segment[] = [];
  let fromStore = 0;
  for (const key of [...new Set(keys)].sort()) {
    if (skip.has(key)) continue;
    const known = memory.get(key);
    if (known) {
      segments.push(known);
      continue;
    }
    const data = await store.get(key);
    const s = data ? decodeSegment(key, data) : null;
    if (!s) continue;
    memory.remember(s);
    segments.push(s);
    fromStore++;
  }
  return { segments, fromStore, claims };
}

// Claims: a worker about to embed a chunk stores an empty marker named after the chunk's segment key
// and itself, then lists the store; where another worker's marker for the chunk is there too, it
// leaves the chunk to that worker and takes another. Whichever of two listings comes later sees
// both markers, so at most one of two workers takes a chunk while any is unclaimed. Chunks that
// every worker left, or whose worker stopped, are computed at the end by whoever is still there
// (the same bits: a row is the same in any batch). Markers are a few bytes; they decode as no segment.
const CLAIM = '.claim-';
const isClaim = (key: string) => key.includes(CLAIM);

/** Chunk (its segment key) → the workers that claimed it. */
export type Claims = Map<string, Set<string>>;

export function claimKey(chunkKey: string, worker: string): string {
  return `${chunkKey}${CLAIM}${worker}`;
}

function claimsIn(keys: string[]): Claims {
  const claims: Claims = new Map();
  for (const key of keys) {
    const at = key.indexOf(CLAIM);
    if (at < 0) continue;
    const chunk = key.slice(0, at);
    if (!claims.has(chunk)) claims.set(chunk, new Set());
    claims.get(chunk)!.add(key.slice(at + CLAIM.length));
  }
  return claims;
}

/** True when a worker other than `worker` claimed `chunkKey`. */
export function claimedByOther(claims: Claims, chunkKey: string, worker: string): boolean {
  for (const w of claims.get(chunkKey) ?? []) if (w !== worker) return true;
  return false;
}

/** The rows to compute, in chunks of `size` rows. */
export function chunked(rows: Int32Array, size: number): Int32Array[] {
  const chunks: Int32Array[] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.subarray(i, Math.min(rows.length, i + size)));
  return chunks;
}

/** The chunks in random order: workers that find every chunk claimed start their leftovers apart. */
export function shuffled<T>(items: T[], random: () => number = Math.random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** A store in memory (tests, and a window without a host cache). */
export function memoryEmbeddingStore(): EmbeddingStore & { keys(): string[] } {
  const map = new Map<string, Float32Array>();
  return {
    async get(key) { return map.get(key)?.slice() ?? null; },
    async put(key, data) { map.set(key, data.slice()); },
    async list(prefix) { return [...map.keys()].filter((k) => k.startsWith(prefix)); },
    keys: () => [...map.keys()],
  };
}
