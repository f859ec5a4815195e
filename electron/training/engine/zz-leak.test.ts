import * as tf from '@tensorflow/tfjs';
import { it } from 'vitest';
import { testDeps, testEnv, tinyConfig } from './test-support.js';
import { runTraining } from './run-training.js';
it('leak', async () => {
  const { deps } = testDeps();
  await deps.selectBackend('wasm');
  const live = new Map<number, string>();
  const eng = tf.engine() as any;
  const track = eng.trackTensor.bind(eng);
  eng.trackTensor = (a: any, backend: any) => { live.set(a.id, new Error().stack!.split('\n').slice(2, 12).join('\n')); return track(a, backend); };
  const disp = eng.disposeTensor.bind(eng);
  eng.disposeTensor = (a: any) => { live.delete(a.id); return disp(a); };
  const b = tf.memory().numTensors;
  await runTraining('x', tinyConfig({ strategy: 'feature-extraction' }), testEnv(), () => {}, new AbortController().signal, deps);
  console.log('LEAK', tf.memory().numTensors - b);
  for (const [id, s] of live) console.log('TENSOR', id, s);
});
