// A minimal WebAssembly assembler: enough to write a few SIMD loops over a memory imported as
// env.memory (the tfjs wasm backend's heap, or one of our own) without a toolchain. Functions take i32
// parameters and return nothing; bodies are lists of encoded instructions from `op` below.

export const I32 = 0x7f;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof V128;
export type Code = number[];

export interface WasmFunction { name: string; params: ValType[]; locals: ValType[]; body: Code[] }

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => vec([...s].map((ch) => [ch.charCodeAt(0)]));
const simd = (opcode: number, ...imm: number[]): Code => [0xfd, ...uleb(opcode), ...imm];
/** memarg: alignment exponent 2 (the heap's floats are 4-byte aligned), offset in bytes. */
const mem = (offset = 0): number[] => [2, ...uleb(offset)];

/** Encoded instructions (the ones our kernels use). */
export const op = {
  get: (i: number): Code => [0x20, ...uleb(i)],
  set: (i: number): Code => [0x21, ...uleb(i)],
  tee: (i: number): Code => [0x22, ...uleb(i)],
  i32: (v: number): Code => [0x41, ...sleb(v)],
  f32: (v: number): Code => [0x43, ...new Uint8Array(new Float32Array([v]).buffer)],
  add: [0x6a] as Code,
  sub: [0x6b] as Code,
  mul: [0x6c] as Code,
  ltU: [0x49] as Code,
  loop: [0x03, 0x40] as Code,
  end: [0x0b] as Code,
  brIf: (depth: number): Code => [0x0d, ...uleb(depth)],
  v128Load: (offset = 0): Code => simd(0x00, ...mem(offset)),
  /** One float from memory in all four lanes. */
  v128Load32Splat: (offset = 0): Code => simd(0x09, ...mem(offset)),
  v128Store: (offset = 0): Code => simd(0x0b, ...mem(offset)),
  /** Lanes 2, 3 of a f32x4 moved to 0, 1 (so promote_low reaches them). */
  highHalf: simd(0x0d, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7),
  f32x4Splat: simd(0x13),
  /** Lane-wise comparisons: all ones where true. */
  f32x4Gt: simd(0x44),
  f32x4Le: simd(0x45),
  v128And: simd(0x4e),
  f32x4Add: simd(0xe4),
  f32x4Sub: simd(0xe5),
  f32x4Mul: simd(0xe6),
  f32x4Div: simd(0xe7),
  f32x4Sqrt: simd(0xe3),
  f64x2Add: simd(0xf0),
  f64x2Mul: simd(0xf2),
  f64x2Div: simd(0xf3),
  /** f64x2 → f32x4 with lanes 2, 3 zero. */
  f32x4DemoteZero: simd(0x5e),
  /** Lanes 0, 1 of the first f32x4 and lanes 0, 1 of the second. */
  joinLow: simd(0x0d, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23),
  f64x2PromoteLow: simd(0x5f),
};

/** A module importing env.memory and exporting `funcs` by name. */
export function assemble(funcs: WasmFunction[]): Uint8Array<ArrayBuffer> {
  const types = funcs.map((f) => [0x60, ...vec(f.params.map((p) => [p])), 0]);
  const imports = vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x00]]);
  const functions = vec(funcs.map((_, i) => uleb(i)));
  const exports = vec(funcs.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]));
  const bodies = vec(funcs.map((f) => {
    const locals = vec(f.locals.map((t) => [1, t]));
    const body = [...locals, ...f.body.flat(), 0x0b];
    return [...uleb(body.length), ...body];
  }));
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)), ...section(2, imports), ...section(3, functions),
    ...section(7, exports), ...section(10, bodies),
  ]);
}

/**
 * Compiles `bytes` (from assemble) once, on first use, and instantiates it once per memory it is
 * bound to. The binder answers null where WebAssembly or its SIMD is missing, or where compiling is
 * refused (a page whose CSP forbids it): callers then take their JS loops.
 */
export function memoryBinder<T>(bytes: Uint8Array<ArrayBuffer>): (memory: WebAssembly.Memory) => T | null {
  let compiled: WebAssembly.Module | null | undefined;
  const instances = new WeakMap<WebAssembly.Memory, T>();
  return (memory) => {
    if (compiled === undefined) {
      try {
        compiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
      } catch {
        compiled = null;
      }
    }
    if (!compiled) return null;
    let bound = instances.get(memory);
    if (!bound) {
      bound = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as T;
      instances.set(memory, bound);
    }
    return bound;
  };
}
