// The tfjs rungs the bench can run on here, each selected in turn (or skipped with its reason).
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { initWasmBackend } from '../../electron/training/kernels/wasm-setup.js';

export type BenchRung = 'tfjs-node' | 'wasm' | 'cpu';

export async function selectRung(rung: BenchRung): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    if (rung === 'wasm') {
      await initWasmBackend();
    } else if (rung === 'cpu') {
      if (!(await tf.setBackend('cpu'))) return { ok: false, reason: 'cpu backend failed to start' };
    } else {
      const require = createRequire(import.meta.url);
      try {
        require.resolve('@tensorflow/tfjs-node');
      } catch {
        return { ok: false, reason: '@tensorflow/tfjs-node is not installed (optional dependency; libtensorflow download failed or was skipped)' };
      }
      // Under Node ≥ 23 tfjs-node calls the removed util.isNullOrUndefined.
      const util = require('node:util') as Record<string, unknown>;
      if (typeof util.isNullOrUndefined !== 'function') util.isNullOrUndefined = (v: unknown) => v == null;
      require('@tensorflow/tfjs-node');
      if (!(await tf.setBackend('tensorflow'))) return { ok: false, reason: 'tfjs-node loaded but its backend failed to start' };
    }
    await tf.ready();
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}
