import { describe, expect, it } from 'vitest';
import { I32, assemble, memoryBinder, op } from './wasm-asm.js';

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

  it('binds a module once per memory, and answers null for bytes that do not compile', () => {
    type Add4 = { add4(a: number, b: number): void };
    const bind = memoryBinder<Add4>(assemble([{
      name: 'add4', params: [I32, I32], locals: [],
      body: [op.get(1), op.get(1), op.v128Load(), op.get(0), op.v128Load(), op.f32x4Add, op.v128Store()],
    }]));
    const [a, b] = [new WebAssembly.Memory({ initial: 1 }), new WebAssembly.Memory({ initial: 1 })];
    const onA = bind(a);
    expect(onA).not.toBeNull();
    expect(bind(a)).toBe(onA);
    const onB = bind(b)!;
    expect(onB).not.toBe(onA);
    new Float32Array(b.buffer).set([1, 2, 3, 4]);
    onB.add4(0, 0);
    expect([...new Float32Array(b.buffer, 0, 4)]).toEqual([2, 4, 6, 8]);
    expect(new Float32Array(a.buffer, 0, 4).every((x) => x === 0)).toBe(true);
    const broken = assemble([{ name: 'bad', params: [I32], locals: [], body: [op.f32x4Add] }]);
    expect(memoryBinder(broken)(a)).toBeNull();
  });
});
