// Receives a folder of images uploaded from a browser (a student on another machine): one POST whose
// body is a sequence of frames, each [u32 path length][path, UTF-8][u32 size][bytes], with
// '/'-separated paths "class/…/file". Every segment is made safe, limits on count and size are
// enforced as the bytes arrive, and the folder appears at its final place only once complete, so a
// broken upload leaves nothing behind. What cannot be kept is reported per file, like a scan's skips.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { UPLOAD_LIMITS, type SkippedFile } from '../contract/index.js';
import { safeSegment } from '../services/roles/uploads.js';

export interface UploadLimits { files: number; fileBytes: number; totalBytes: number }
export interface UploadOutcome { path: string; name: string; files: number; skipped: SkippedFile[] }

export class UploadError extends Error {
  constructor(readonly status: 400 | 413, message: string) {
    super(message);
  }
}

const MAX_PATH_BYTES = 1024;
const MAX_DEPTH = 8;
const mb = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;

/** The safe relative path of one uploaded file, or why it cannot be kept. */
function safeRelative(raw: string): { rel: string } | { reason: string } {
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length < 2) return { reason: 'not inside a class folder (the upload needs one subfolder per class)' };
  if (parts.length > MAX_DEPTH) return { reason: `nested deeper than ${MAX_DEPTH} folders` };
  if (parts.some((p) => p === '..')) return { reason: 'a path that leaves the folder' };
  const safe = parts.map(safeSegment);
  if (safe.some((s) => s === null)) return { reason: 'a name with no letters or digits' };
  return { rel: safe.join('/') };
}

/** Parses the frames from `body` into `<dir>/<name>/`; replaces an earlier upload of that name. */
export async function receiveUpload(body: Readable, dir: string, rawName: string, limits: UploadLimits = UPLOAD_LIMITS): Promise<UploadOutcome> {
  const name = safeSegment(rawName) ?? 'upload';
  const incoming = join(dir, `.incoming-${randomBytes(6).toString('hex')}`);
  const skipped: SkippedFile[] = [];
  const taken = new Set<string>();
  let files = 0;

  /** Keeps one finished frame: a new file, or a skip with its reason. */
  async function keep(rawPath: string, bytes: Buffer) {
    const safe = safeRelative(rawPath);
    if ('reason' in safe) return void skipped.push({ file: rawPath, reason: safe.reason });
    if (files >= limits.files) return void skipped.push({ file: rawPath, reason: `over the limit of ${limits.files} files per upload` });
    let rel = safe.rel;
    // Two names that became the same safe name: keep both.
    for (let n = 2; taken.has(rel.toLowerCase()); n++) rel = safe.rel.replace(/(\.[^./]*)?$/, (ext) => `-${n}${ext}`);
    taken.add(rel.toLowerCase());
    const target = join(incoming, ...rel.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, bytes, { flag: 'wx' });
    files++;
  }

  try {
    await mkdir(incoming, { recursive: true });
    const bytes = new ByteQueue();
    let frame: { path: string; size: number; tooLarge: boolean } | null = null;
    let pathLen: number | null = null;
    let received = 0;
    let kept = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (received > limits.totalBytes + limits.files * (MAX_PATH_BYTES + 8)) throw new UploadError(413, `The upload is larger than ${mb(limits.totalBytes)}: upload fewer or smaller images.`);
      bytes.push(chunk);
      for (;;) {
        if (pathLen === null) {
          if (bytes.length < 4) break;
          pathLen = bytes.take(4).readUInt32BE(0);
          if (pathLen === 0 || pathLen > MAX_PATH_BYTES) throw new UploadError(400, 'The upload is malformed (a file path is empty or too long).');
        }
        if (frame === null) {
          if (bytes.length < pathLen + 4) break;
          const head = bytes.take(pathLen + 4);
          const path = head.subarray(0, pathLen).toString('utf8');
          const size = head.readUInt32BE(pathLen);
          frame = { path, size, tooLarge: size > limits.fileBytes };
          if (!frame.tooLarge && (kept += size) > limits.totalBytes) throw new UploadError(413, `The upload is larger than ${mb(limits.totalBytes)}: upload fewer or smaller images.`);
        }
        if (frame.tooLarge) {
          // Read past it without keeping it: the other images still count.
          frame.size -= bytes.drop(frame.size);
          if (frame.size > 0) break;
          skipped.push({ file: frame.path, reason: `larger than ${mb(limits.fileBytes)}, the limit per image` });
          frame = null;
          pathLen = null;
          continue;
        }
        if (bytes.length < frame.size) break;
        const content = bytes.take(frame.size);
        const { path } = frame;
        frame = null;
        pathLen = null;
        await keep(path, content);
      }
    }
    if (pathLen !== null || bytes.length > 0) throw new UploadError(400, 'The upload ended in the middle of a file: try again.');
    if (files === 0) throw new UploadError(400, 'Nothing in the upload could be kept: drop a folder with one subfolder of images per class.');
    const final = join(dir, name);
    await rm(final, { recursive: true, force: true });
    await rename(incoming, final);
    return { path: final, name, files, skipped };
  } catch (e) {
    await rm(incoming, { recursive: true, force: true }).catch(() => undefined);
    throw e;
  }
}

/** Arriving chunks, taken in pieces of known size; each byte is copied once. */
class ByteQueue {
  private chunks: Buffer[] = [];
  length = 0;
  push(chunk: Buffer) {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }
  /** Drops up to n bytes; returns how many went. */
  drop(n: number): number {
    const d = Math.min(n, this.length);
    if (d > 0) this.take(d);
    return d;
  }
  take(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const head = this.chunks[0];
      const used = Math.min(head.length, n - at);
      head.copy(out, at, 0, used);
      at += used;
      if (used === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(used);
    }
    this.length -= n;
    return out;
  }
}
