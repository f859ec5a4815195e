// Brings up the tfjs wasm backend under Node (or Electron's utility process) as a training backend.
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from './index.js';

let pathsSet = false;

/** Absolute folder (with trailing separator) holding tfjs-backend-wasm's *.wasm binaries. */
export function wasmBinaryFolder(): string {
  const require = createRequire(import.meta.url);
  // The package's main file lives in dist/, next to the .wasm files.
  const main = require.resolve('@tensorflow/tfjs-backend-wasm');
  return path.dirname(main) + path.sep;
}

/**
 * Selects the wasm backend and registers our training kernels on it. Node's wasm backend runs
 * single-threaded (no worker threads for XNNPACK there). Throws with the cause if wasm cannot start.
 */
export async function initWasmBackend(): Promise<void> {
  if (!pathsSet && tf.findBackend('wasm') == null) {
    // setWasmPaths must run before the backend is first initialised; it throws once it was.
    setWasmPaths(wasmBinaryFolder());
    pathsSet = true;
  }
  const ok = await tf.setBackend('wasm');
  if (!ok) throw new Error('tfjs wasm backend failed to initialise (see the console for the cause)');
  await tf.ready();
  registerWasmTrainingKernels();
}
