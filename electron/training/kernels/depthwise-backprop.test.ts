import { describe, expect, it } from 'vitest';
import { randomTensor, relativeMaxDiff, runOnBoth } from './kernel-test-utils.js';

type Pad = 'same' | 'valid';
interface Case { b: number; h: number; w: number; c: number; m: number; k: [number, number]; s: number; pad: Pad }

const cases: Case[] = [
  { b: 2, h: 7, w: 7, c: 3, m: 1, k: [3, 3], s: 1, pad: 'same' },
  { b: 3, h: 9, w: 7, c: 8, m: 1, k: [3, 3], s: 2, pad: 'same' },
  { b: 2, h: 8, w: 8, c: 5, m: 1, k: [3, 3], s: 2, pad: 'valid' },
  { b: 2, h: 9, w: 11, c: 4, m: 2, k: [3, 3], s: 1, pad: 'valid' },
  { b: 2, h: 10, w: 9, c: 2, m: 3, k: [5, 3], s: 2, pad: 'same' },
  { b: 1, h: 11, w: 11, c: 16, m: 1, k: [5, 5], s: 1, pad: 'same' },
];

const name = (c: Case) => `x ${c.b}x${c.h}x${c.w}x${c.c}, filter ${c.k.join('x')}x${c.c}x${c.m}, stride ${c.s}, '${c.pad}'`;
const outSize = (n: number, k: number, s: number, pad: Pad) => (pad === 'same' ? Math.ceil(n / s) : Math.floor((n - k) / s) + 1);

describe('DepthwiseConv2dNative backprops on wasm match cpu', () => {
  it.each(cases.map((c, i) => [name(c), c, i] as const))('%s', async (_, c, i) => {
    const oh = outSize(c.h, c.k[0], c.s, c.pad);
    const ow = outSize(c.w, c.k[1], c.s, c.pad);
    const common = { strides: [c.s, c.s], dilations: [1, 1], pad: c.pad };
    const x = randomTensor([c.b, c.h, c.w, c.c], 10 + i);
    const dy = randomTensor([c.b, oh, ow, c.c * c.m], 20 + i);
    const filter = randomTensor([c.k[0], c.k[1], c.c, c.m], 30 + i);

    const f = await runOnBoth('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...common, filterShape: filter.shape });
    expect(f.wasm.shape).toEqual(f.cpu.shape);
    expect(relativeMaxDiff(f.cpu.data, f.wasm.data)).toBeLessThanOrEqual(1e-4);

    const d = await runOnBoth('DepthwiseConv2dNativeBackpropInput', { dy, filter }, { ...common, inputShape: x.shape });
    expect(d.wasm.shape).toEqual(d.cpu.shape);
    expect(relativeMaxDiff(d.cpu.data, d.wasm.data)).toBeLessThanOrEqual(1e-4);
  });
});
