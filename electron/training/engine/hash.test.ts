// The pure hashes must give node:crypto's digests byte for byte: cache files and stored keys made
// by earlier versions (which used node:crypto) stay valid only then.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createSha1, createSha256, sha256Hex, useNativeHash } from './hash.js';

const inputs: Array<Array<string | Uint8Array>> = [
  [''],
  ['tl-resnet-s', '28x28x1'],
  ['ünïcödé ✓ 名前', '|', 'x'],
  [new Uint8Array(0)],
  [Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) & 255), 'tail'],
  // Multi-block input crossing the 64-byte block boundary in odd places.
  [new Uint8Array(63), new Uint8Array(65), new Uint8Array(Float32Array.from([1.5, -2, 3e-8]).buffer)],
];

describe('pure hashes', () => {
  it.each(inputs.map((parts, i) => [i, parts] as const))('match node:crypto for input %i', (_, parts) => {
    const n256 = createHash('sha256');
    const n1 = createHash('sha1');
    const p256 = createSha256();
    const p1 = createSha1();
    for (const part of parts) { n256.update(part); n1.update(part); p256.update(part); p1.update(part); }
    expect(p256.hex()).toBe(n256.digest('hex'));
    expect(p1.hex()).toBe(n1.digest('hex'));
  });

  it('hash a single value in one call', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  describe('with the native hash installed', () => {
    afterEach(() => useNativeHash(null));

    it.each(inputs.map((parts, i) => [i, parts] as const))('give the plain ones\' digests for input %i', (_, parts) => {
      const plain = [createSha256(), createSha1()];
      const calls: string[] = [];
      useNativeHash((algorithm) => { calls.push(algorithm); return createHash(algorithm); });
      const fast = [createSha256(), createSha1()];
      for (const part of parts) for (const h of [...plain, ...fast]) h.update(part);
      expect(calls).toEqual(['sha256', 'sha1']);
      expect(fast.map((h) => h.hex())).toEqual(plain.map((h) => h.hex()));
    });
  });
});
