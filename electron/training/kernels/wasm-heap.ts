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

/** What tfjs passes to a kernel function (inputs by name, as tfjs documents per kernel). */
export interface KernelArgs {
  inputs: Record<string, TensorInfo>;
  backend: unknown;
  attrs?: Attrs;
}
