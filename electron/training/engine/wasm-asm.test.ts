import { describe, expect, it } from 'vitest';
import { I32, assemble, op } from './wasm-asm.js';

describe('wasm assembler', () => {
  it('encodes signed constants in LEB128, including the sign-bit edge cases', () => {
    expect(op.i32(0)).toEqual([0x41, 0x00]);
    expect(op.i32(63)).toEqual([0x41, 0x3f]);
    expect(op.i32(64)).toEqual([0x41, 0xc0, 0x00]);
    expect(op.i32(-1)).toEqual([0x41, 0x7f]);
    expect(op.i32(-65)).toEqual([0x41, 0xbf, 0x7f]);
    expect(op.i32(300)).toEqual([0x41, 0xac, 0x02]);
  });

  it('builds a valid module that runs on an imported memory', () => {
    // add4(src, dst): dst[0..4] += src[0..4] as one f32x4.
    const bytes = assemble([{
      name: 'add4', params: [I32, I32], locals: [],
      body: [op.get(1), op.get(1), op.v128Load(), op.get(0), op.v128Load(), op.f32x4Add, op.v128Store()],
    }]);
    expect(WebAssembly.validate(bytes)).toBe(true);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const { add4 } = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as { add4(a: number, b: number): void };
    const f = new Float32Array(memory.buffer);
    f.set([1, 2, 3, 4], 1);
    f.set([10, 20, 30, 40], 9);
    add4(4, 36);
    expect([...f.subarray(9, 13)]).toEqual([11, 22, 33, 44]);
  });
});
