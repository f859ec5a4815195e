// Small helpers for kernels that work directly on the wasm backend's heap, or that chain the
// backend's own (XNNPACK-backed) kernels without going through the engine.
import * as tf from '@tensorflow/tfjs';

type TensorInfo = tf.TensorInfo;
type DataId = TensorInfo['dataId'];

/** The part of tfjs-backend-wasm's BackendWasm that our kernels use. */
export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: DataId, force?: boolean): boolean;
}

export type Attrs = Record<string, unknown>;
type KernelFunc = (args: { inputs: Record<string, TensorInfo>; attrs?: Attrs; backend: unknown }) => TensorInfo | TensorInfo[];

const shipped = new Map<string, KernelFunc>();

/** Remembers the wasm backend's own kernel for `name` (call before overriding it). */
export function captureShippedKernel(name: string): void {
  if (shipped.has(name)) return;
  const k = tf.getKernel(name, 'wasm');
  if (k) shipped.set(name, k.kernelFunc as unknown as KernelFunc);
}

/** The wasm backend's own kernel function for `name`, as captured before any override. */
export function shippedKernel(name: string): KernelFunc | undefined {
  return shipped.get(name);
}

/** Runs a shipped wasm kernel directly (no tape, no engine bookkeeping): the caller owns the result. */
export function runShipped(name: string, backend: WasmBackendLike, inputs: Record<string, TensorInfo>, attrs: Attrs = {}): TensorInfo {
  let fn = shipped.get(name);
  if (!fn) {
    captureShippedKernel(name);
    fn = shipped.get(name);
  }
  if (!fn) throw new Error(`wasm backend has no '${name}' kernel to build on`);
  const out = fn({ inputs, attrs, backend });
  return Array.isArray(out) ? out[0] : out;
}

/** Float32 view of a tensor's heap memory. Views go stale when the heap grows: take them after
 *  the last allocation of the kernel. */
export function f32(backend: WasmBackendLike, t: TensorInfo): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`expected a float32 tensor, got ${t.dtype}`);
  return backend.typedArrayFromHeap(t) as Float32Array;
}

export function disposeAll(backend: WasmBackendLike, ...infos: TensorInfo[]): void {
  for (const t of infos) backend.disposeData(t.dataId);
}

/** Writes a host Float32Array into a fresh heap tensor. */
export function fromHost(backend: WasmBackendLike, shape: number[], values: Float32Array): TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  f32(backend, out).set(values);
  return out;
}

interface WasmInternals {
  dataIdMap: { get(dataId: DataId): { id: number; memoryOffset: number } | undefined; delete(dataId: DataId): boolean };
  wasm: { tfjs: { disposeData(id: number): void } };
}

/**
 * A tensor that aliases `shape`-many floats of `base`'s heap memory starting `offset` elements in,
 * so a shifted window of a buffer can feed a shipped kernel without a copy. The caller must make
 * sure the window lies inside `base`, keep `base` alive while the view lives, and give the view
 * back with releaseView (never disposeData: that would free `base`'s memory).
 */
export function heapView(backend: WasmBackendLike, base: TensorInfo, offset: number, shape: number[]): TensorInfo {
  const entry = (backend as unknown as WasmInternals).dataIdMap.get(base.dataId);
  if (!entry) throw new Error('heapView: base tensor is not on the wasm heap');
  const b = backend as WasmBackendLike & { makeOutput(shape: number[], dtype: tf.DataType, memoryOffset: number): TensorInfo };
  return b.makeOutput(shape, 'float32', entry.memoryOffset + 4 * offset);
}

/** Forgets a heapView without freeing the memory it aliases. */
export function releaseView(backend: WasmBackendLike, view: TensorInfo): void {
  const internals = backend as unknown as WasmInternals;
  const entry = internals.dataIdMap.get(view.dataId);
  if (!entry) return;
  internals.wasm.tfjs.disposeData(entry.id);
  internals.dataIdMap.delete(view.dataId);
}

/** What tfjs passes to a kernel function (inputs by name, as tfjs documents per kernel). */
export interface KernelArgs {
  inputs: Record<string, TensorInfo>;
  backend: unknown;
  attrs?: Attrs;
}

/** The wasm backend's heap memory, or null where the backend exposes none. */
export function heapMemory(backend: WasmBackendLike): WebAssembly.Memory | null {
  const memory = (backend as unknown as { wasm?: { asm?: { memory?: unknown } } }).wasm?.asm?.memory;
  return memory instanceof WebAssembly.Memory ? memory : null;
}

/** Byte address of a tensor's data on the heap. */
export function heapAddress(backend: WasmBackendLike, t: { dataId: object }): number {
  const entry = (backend as unknown as { dataIdMap: { get(id: object): { memoryOffset: number } | undefined } }).dataIdMap.get(t.dataId);
  if (!entry) throw new Error('heapAddress: tensor is not on the wasm heap');
  return entry.memoryOffset;
}
