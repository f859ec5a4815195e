import { afterEach, describe, expect, it } from 'vitest';
import { setSimdLoopsEnabled } from './simd-loops.js';
import { randomTensor, relativeMaxDiff, runKernel, runOnBoth, useBackend } from './testing/kernel-checks.js';

type Pad = 'same' | 'valid';
interface Case { b: number; h: number; w: number; ci: number; co: number; k: [number, number]; s: [number, number]; pad: Pad }

const cases: Case[] = [
  { b: 2, h: 7, w: 7, ci: 3, co: 4, k: [3, 3], s: [1, 1], pad: 'same' },
  { b: 3, h: 9, w: 7, ci: 5, co: 8, k: [3, 3], s: [2, 2], pad: 'same' },
  { b: 2, h: 8, w: 8, ci: 4, co: 6, k: [3, 3], s: [2, 2], pad: 'same' },
  { b: 2, h: 9, w: 11, ci: 2, co: 3, k: [3, 3], s: [1, 1], pad: 'valid' },
  { b: 2, h: 10, w: 9, ci: 3, co: 5, k: [3, 3], s: [2, 2], pad: 'valid' },
  { b: 1, h: 11, w: 11, ci: 1, co: 16, k: [5, 5], s: [2, 2], pad: 'same' },
  { b: 2, h: 8, w: 8, ci: 16, co: 32, k: [1, 1], s: [2, 2], pad: 'valid' },
  { b: 2, h: 7, w: 9, ci: 3, co: 2, k: [2, 3], s: [2, 1], pad: 'same' },
  { b: 4, h: 5, w: 5, ci: 7, co: 1, k: [1, 1], s: [1, 1], pad: 'same' },
  // Filter tap windows that wrap across grid rows and channel rows (see conv2d-backprop-filter.ts).
  { b: 3, h: 13, w: 10, ci: 4, co: 3, k: [5, 5], s: [3, 3], pad: 'same' },
  { b: 2, h: 11, w: 9, ci: 3, co: 5, k: [4, 2], s: [2, 3], pad: 'valid' },
  { b: 5, h: 3, w: 4, ci: 6, co: 7, k: [3, 3], s: [1, 1], pad: 'same' },
  // Shapes real backbones hit. ResNet-style 7×7 stride-2 stem ('same' pads 2 before, 3 after).
  { b: 2, h: 32, w: 32, ci: 3, co: 16, k: [7, 7], s: [2, 2], pad: 'same' },
  // 1×1 stride-2 projection shortcut on the last 7×7 stage.
  { b: 2, h: 7, w: 7, ci: 32, co: 64, k: [1, 1], s: [2, 2], pad: 'same' },
  // 3×3 stride-2 'same' on an even input pads only after; 32–64 channels.
  { b: 2, h: 8, w: 8, ci: 32, co: 64, k: [3, 3], s: [2, 2], pad: 'same' },
  // Non-square strides, in both orders and both paddings.
  { b: 2, h: 8, w: 5, ci: 32, co: 48, k: [3, 3], s: [2, 1], pad: 'same' },
  { b: 2, h: 5, w: 8, ci: 48, co: 32, k: [3, 3], s: [1, 2], pad: 'same' },
  { b: 3, h: 7, w: 6, ci: 32, co: 40, k: [3, 3], s: [2, 1], pad: 'valid' },
  { b: 3, h: 6, w: 7, ci: 40, co: 32, k: [3, 3], s: [1, 2], pad: 'valid' },
  // The SIMD filter gradient's blocks: rows of one image where an image is large (40×36 at 32
  // channels: 28-row blocks and a 12-row tail), several images where small (a tail of 1 of 6), and a
  // last group of filter rows with 1–3 rows missing (9·C not a multiple of 4).
  { b: 2, h: 40, w: 36, ci: 16, co: 16, k: [3, 3], s: [1, 1], pad: 'same' },
  { b: 6, h: 7, w: 7, ci: 64, co: 64, k: [3, 3], s: [1, 1], pad: 'same' },
  { b: 3, h: 9, w: 9, ci: 5, co: 8, k: [3, 3], s: [1, 1], pad: 'same' },
  { b: 2, h: 12, w: 10, ci: 2, co: 24, k: [3, 3], s: [2, 2], pad: 'valid' },
  { b: 2, h: 10, w: 10, ci: 3, co: 40, k: [2, 2], s: [1, 1], pad: 'valid' },
];

const name = (c: Case) => `x ${c.b}x${c.h}x${c.w}x${c.ci}, filter ${c.k.join('x')}x${c.ci}x${c.co}, strides ${c.s.join(',')}, '${c.pad}'`;

function outSize(n: number, k: number, s: number, pad: Pad) {
  return pad === 'same' ? Math.ceil(n / s) : Math.floor((n - k) / s) + 1;
}

// Conv2D itself is the shipped kernel; checked here because its gradients below only help if the
// forward pass pads the same way.
describe('Conv2D on wasm matches cpu', () => {
  it.each(cases.map((c, i) => [name(c), c, i] as const))('%s', async (_, c, i) => {
    const x = randomTensor([c.b, c.h, c.w, c.ci], 500 + i);
    const filter = randomTensor([c.k[0], c.k[1], c.ci, c.co], 600 + i);
    const attrs = { strides: c.s, pad: c.pad, dataFormat: 'NHWC', dilations: [1, 1] };
    const { cpu, wasm } = await runOnBoth('Conv2D', { x, filter }, attrs);
    expect(wasm.shape).toEqual(cpu.shape);
    expect(relativeMaxDiff(cpu.data, wasm.data)).toBeLessThanOrEqual(1e-4);
  });
});

describe('Conv2DBackpropFilter on wasm matches cpu', () => {
  it.each(cases.map((c, i) => [name(c), c, i] as const))('%s', async (_, c, i) => {
    const oh = outSize(c.h, c.k[0], c.s[0], c.pad);
    const ow = outSize(c.w, c.k[1], c.s[1], c.pad);
    const x = randomTensor([c.b, c.h, c.w, c.ci], 100 + i);
    const dy = randomTensor([c.b, oh, ow, c.co], 200 + i);
    const attrs = { strides: c.s, pad: c.pad, dataFormat: 'NHWC', filterShape: [c.k[0], c.k[1], c.ci, c.co] };
    const { cpu, wasm } = await runOnBoth('Conv2DBackpropFilter', { x, dy }, attrs);
    expect(wasm.shape).toEqual(cpu.shape);
    expect(relativeMaxDiff(cpu.data, wasm.data)).toBeLessThanOrEqual(1e-4);
  });
});

// Filters with a multiple of 8 output channels take the SIMD path above; the per-tap matrix products
// (where SIMD is missing) must agree on them too.
describe('Conv2DBackpropFilter on wasm without SIMD loops matches cpu', () => {
  afterEach(() => setSimdLoopsEnabled(true));
  const simdShapes = cases.map((c, i) => [name(c), c, i] as const).filter(([, c]) => c.co % 8 === 0);
  it.each(simdShapes)('%s', async (_, c, i) => {
    const x = randomTensor([c.b, c.h, c.w, c.ci], 100 + i);
    const dy = randomTensor([c.b, outSize(c.h, c.k[0], c.s[0], c.pad), outSize(c.w, c.k[1], c.s[1], c.pad), c.co], 200 + i);
    const attrs = { strides: c.s, pad: c.pad, dataFormat: 'NHWC', filterShape: [c.k[0], c.k[1], c.ci, c.co] };
    await useBackend('cpu');
    const cpu = runKernel('Conv2DBackpropFilter', { x, dy }, attrs);
    await useBackend('wasm');
    setSimdLoopsEnabled(false);
    const wasm = runKernel('Conv2DBackpropFilter', { x, dy }, attrs);
    expect(relativeMaxDiff(cpu.data, wasm.data)).toBeLessThanOrEqual(1e-4);
  });
});

describe('Conv2DBackpropInput on wasm matches cpu', () => {
  it.each(cases.map((c, i) => [name(c), c, i] as const))('%s', async (_, c, i) => {
    const oh = outSize(c.h, c.k[0], c.s[0], c.pad);
    const ow = outSize(c.w, c.k[1], c.s[1], c.pad);
    const dy = randomTensor([c.b, oh, ow, c.co], 300 + i);
    const filter = randomTensor([c.k[0], c.k[1], c.ci, c.co], 400 + i);
    const attrs = { strides: c.s, pad: c.pad, dataFormat: 'NHWC', inputShape: [c.b, c.h, c.w, c.ci] };
    const { cpu, wasm } = await runOnBoth('Conv2DBackpropInput', { dy, filter }, attrs);
    expect(wasm.shape).toEqual(cpu.shape);
    expect(relativeMaxDiff(cpu.data, wasm.data)).toBeLessThanOrEqual(1e-4);
  });
});
