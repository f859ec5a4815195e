// SHA-256 and SHA-1 in plain JavaScript, so the cache keys and fingerprints the engine computes are
// the same bytes in the worker process and in a window (no node:crypto there). Digests are those of
// node:crypto for the same input (strings are hashed as UTF-8, as Node does), which the training
// process uses instead (useNativeHash: several times faster).
import { sha1 } from '@noble/hashes/legacy';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex } from '@noble/hashes/utils';

export interface Hasher {
  update(data: string | Uint8Array): Hasher;
  /** Lower-case hex of the digest; the hasher cannot be used afterwards. */
  hex(): string;
}

function wrap(inner: { update(d: Uint8Array): unknown; digest(): Uint8Array }): Hasher {
  const encoder = new TextEncoder();
  const h: Hasher = {
    update(data) {
      inner.update(typeof data === 'string' ? encoder.encode(data) : data);
      return h;
    },
    hex: () => bytesToHex(inner.digest()),
  };
  return h;
}

/** A host's own hash of the same algorithms (node:crypto's createHash): the same digests. */
export type NativeHash = (algorithm: 'sha256' | 'sha1') => { update(d: Uint8Array): unknown; digest(): Uint8Array };

let native: NativeHash | null = null;

/**
 * Hashes with the host's native code from now on (null: plain JavaScript again). The training
 * process installs node:crypto: a run keys its embedding cache by every weight of its backbone, and
 * for MobileNet v1 1.0 (17 MB) the JavaScript SHA-1 and SHA-256 took ~0.2 s of every run, node:crypto 35 ms.
 */
export function useNativeHash(hash: NativeHash | null): void {
  native = hash;
}

export const createSha256 = (): Hasher => wrap(native ? native('sha256') : sha256.create());
export const createSha1 = (): Hasher => wrap(native ? native('sha1') : sha1.create());
export const sha256Hex = (data: string | Uint8Array): string => createSha256().update(data).hex();
