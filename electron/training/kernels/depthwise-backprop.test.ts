import { describe, expect, it } from 'vitest';
import { setSimdLoopsEnabled } from './simd-loops.js';
import { randomTensor, relativeMaxDiff, runKernel, runOnBoth } from './testing/kernel-checks.js';

type Pad = 'same' | 'valid';
interface Case { b: number; h: number; w: number; c: number; m: number; k: [number, number]; s: [number, number]; pad: Pad }

const cases: Case[] = [
  { b: 2, h: 7, w: 7, c: 3, m: 1, k: [3, 3], s: [1, 1], pad: 'same' },
  { b: 3, h: 9, w: 7, c: 8, m: 1, k: [3, 3], s: [2, 2], pad: 'same' },
  { b: 2, h: 8, w: 8, c: 5, m: 1, k: [3, 3], s: [2, 2], pad: 'valid' },
  { b: 2, h: 9, w: 11, c: 4, m: 2, k: [3, 3], s: [1, 1], pad: 'valid' },
  { b: 2, h: 10, w: 9, c: 2, m: 3, k: [5, 3], s: [2, 2], pad: 'same' },
  { b: 1, h: 11, w: 11, c: 16, m: 1, k: [5, 5], s: [1, 1], pad: 'same' },
  // Shapes real backbones hit. MobileNet's stride-2 'same' on even inputs pads only after.
  { b: 2, h: 8, w: 8, c: 32, m: 1, k: [3, 3], s: [2, 2], pad: 'same' },
  { b: 2, h: 8, w: 6, c: 64, m: 1, k: [5, 5], s: [2, 2], pad: 'same' },
  // MobileNet v1 0.25 at 224 px: the first, a middle and the last depthwise layer.
  { b: 1, h: 112, w: 112, c: 8, m: 1, k: [3, 3], s: [1, 1], pad: 'same' },
  { b: 2, h: 14, w: 14, c: 128, m: 1, k: [3, 3], s: [2, 2], pad: 'same' },
  { b: 2, h: 7, w: 7, c: 256, m: 1, k: [3, 3], s: [1, 1], pad: 'same' },
  // 'valid' stride 2 on odd inputs.
  { b: 2, h: 9, w: 7, c: 32, m: 1, k: [3, 3], s: [2, 2], pad: 'valid' },
  { b: 3, h: 7, w: 9, c: 48, m: 1, k: [3, 3], s: [2, 2], pad: 'valid' },
  // Non-square strides, through both the XNNPACK path (m = 1) and the direct loop (m = 2).
  { b: 2, h: 8, w: 5, c: 32, m: 1, k: [3, 3], s: [2, 1], pad: 'same' },
  { b: 2, h: 5, w: 8, c: 64, m: 1, k: [3, 3], s: [1, 2], pad: 'same' },
  { b: 2, h: 7, w: 6, c: 32, m: 1, k: [3, 3], s: [2, 1], pad: 'valid' },
  { b: 2, h: 6, w: 7, c: 32, m: 1, k: [3, 3], s: [1, 2], pad: 'valid' },
  { b: 2, h: 8, w: 7, c: 16, m: 2, k: [3, 3], s: [2, 1], pad: 'same' },
  { b: 2, h: 7, w: 8, c: 16, m: 2, k: [3, 3], s: [1, 2], pad: 'valid' },
];

const name = (c: Case) => `x ${c.b}x${c.h}x${c.w}x${c.c}, filter ${c.k.join('x')}x${c.c}x${c.m}, strides ${c.s.join(',')}, '${c.pad}'`;
const outSize = (n: number, k: number, s: number, pad: Pad) => (pad === 'same' ? Math.ceil(n / s) : Math.floor((n - k) / s) + 1);

describe('DepthwiseConv2dNative forward and backprops on wasm match cpu', () => {
  it.each(cases.map((c, i) => [name(c), c, i] as const))('%s', async (_, c, i) => {
    const oh = outSize(c.h, c.k[0], c.s[0], c.pad);
    const ow = outSize(c.w, c.k[1], c.s[1], c.pad);
    const common = { strides: c.s, dilations: [1, 1], pad: c.pad };
    const x = randomTensor([c.b, c.h, c.w, c.c], 10 + i);
    const dy = randomTensor([c.b, oh, ow, c.c * c.m], 20 + i);
    const filter = randomTensor([c.k[0], c.k[1], c.c, c.m], 30 + i);

    // The forward pass is the shipped kernel; its gradients only help if it pads the same way.
    const y = await runOnBoth('DepthwiseConv2dNative', { x, filter }, common);
    expect(y.wasm.shape).toEqual([c.b, oh, ow, c.c * c.m]);
    expect(y.wasm.shape).toEqual(y.cpu.shape);
    expect(relativeMaxDiff(y.cpu.data, y.wasm.data)).toBeLessThanOrEqual(1e-4);

    const f = await runOnBoth('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...common, filterShape: filter.shape });
    expect(f.wasm.shape).toEqual(f.cpu.shape);
    expect(relativeMaxDiff(f.cpu.data, f.wasm.data)).toBeLessThanOrEqual(1e-4);
    // The JS loop, which runs where the SIMD one does not apply or WebAssembly SIMD is missing.
    setSimdLoopsEnabled(false);
    const fJs = runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...common, filterShape: filter.shape });
    setSimdLoopsEnabled(true);
    expect(relativeMaxDiff(f.cpu.data, fJs.data)).toBeLessThanOrEqual(1e-4);

    const d = await runOnBoth('DepthwiseConv2dNativeBackpropInput', { dy, filter }, { ...common, inputShape: x.shape });
    expect(d.wasm.shape).toEqual(d.cpu.shape);
    expect(relativeMaxDiff(d.cpu.data, d.wasm.data)).toBeLessThanOrEqual(1e-4);
  });
});
