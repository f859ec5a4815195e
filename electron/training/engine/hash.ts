// SHA-256 and SHA-1 in plain JavaScript, so the cache keys and fingerprints the engine computes are
// the same bytes in the worker process and in a window (no node:crypto there). Digests are those of
// node:crypto for the same input (strings are hashed as UTF-8, as Node does).
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

export const createSha256 = (): Hasher => wrap(sha256.create());
export const createSha1 = (): Hasher => wrap(sha1.create());
export const sha256Hex = (data: string | Uint8Array): string => createSha256().update(data).hex();
