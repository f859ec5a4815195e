// What a backbone's preprocessing does: its declared kind (a loaded model folder says it) and what
// it measurably computes. It is a function of [0,1] pixels, so applying it to known pixels tells
// which kind it is (for an exported model's metadata, also when nothing is declared) and gives a
// fingerprint of exactly what it computes (for the embedding cache key).
import * as tf from '@tensorflow/tfjs';
import { createSha256 } from './hash.js';
import type { LoadedBackbone } from '../types.js';

/** The loader's name for the preprocessing ('unit', 'symmetric', …), when the backbone came from a folder. */
interface Declared { preprocessKind?: string }

export interface PreprocessingFacts {
  /** The declared kind, else the measured one ('unit', 'symmetric', 'bytes'), else 'custom'. */
  kind: string;
  /** In words, for whoever loads the exported model elsewhere. */
  description: string;
  /** Per input channel c, for a gray pixel x in [0,1]: network input = scale[c]·x + offset[c]. */
  scale: number[];
  offset: number[];
}

const KNOWN: Array<{ kind: string; scale: number; offset: number; words: string }> = [
  { kind: 'unit', scale: 1, offset: 0, words: 'pixels scaled to [0, 1]' },
  { kind: 'symmetric', scale: 2, offset: -1, words: 'pixels scaled to [-1, 1]' },
  { kind: 'bytes', scale: 255, offset: 0, words: 'pixels in [0, 255]' },
];

/** The preprocessing applied to [n, 1, 1, C] images of the given gray values (0..1). */
function probe(backbone: LoadedBackbone, values: number[]): Float32Array {
  const c = backbone.inputShape[2];
  return tf.tidy(() => {
    const x = tf.tensor4d(values.flatMap((v) => new Array<number>(c).fill(v)), [values.length, 1, 1, c]);
    return backbone.preprocess(x).dataSync() as Float32Array;
  });
}

export function describePreprocessing(backbone: LoadedBackbone): PreprocessingFacts {
  const c = backbone.inputShape[2];
  const out = probe(backbone, [0, 1]);
  const offset = Array.from(out.subarray(0, c));
  const scale = Array.from(out.subarray(c, 2 * c), (v, i) => v - offset[i]);
  const close = (a: number, b: number) => Math.abs(a - b) < 1e-4 * Math.max(1, Math.abs(b));
  const known = KNOWN.find((k) => scale.every((s) => close(s, k.scale)) && offset.every((o) => close(o, k.offset)));
  const [h, w] = backbone.inputShape;
  const resize = `decoded as ${c === 1 ? 'grayscale' : 'RGB'}, resized (bilinear) to ${h}×${w}`;
  return {
    kind: (backbone as LoadedBackbone & Declared).preprocessKind ?? known?.kind ?? 'custom',
    description: known
      ? `${resize}, ${known.words}`
      : `${resize}, pixels scaled to [0, 1], then per channel: input = scale · pixel + offset (see scale and offset)`,
    scale,
    offset,
  };
}

/** Fingerprint of what the preprocessing computes, so embeddings made under another one are never reused. */
export function preprocessingDigest(backbone: LoadedBackbone): string {
  const out = probe(backbone, [0, 0.25, 0.5, 0.75, 1]);
  return createSha256().update(`${(backbone as LoadedBackbone & Declared).preprocessKind ?? ''}|${backbone.inputShape.join('x')}|`).update(new Uint8Array(out.buffer, out.byteOffset, out.byteLength)).hex().slice(0, 16);
}
