// A helper thread of a run: its own wasm backend (with the training kernels) and either a replica of
// the trainable part, answering its shards of each batch with their gradients, or a copy of the
// frozen base, answering batches of the embedding pass with their features.
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { buildReplica, type ShardNet } from '../engine/data-parallel.js';
import { initWasmBackend } from '../kernels/wasm-setup.js';
import type { FromShardThread, ToShardThread } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('shard-thread runs as a worker thread of a training run.');
tf.env().set('PROD', true);

let net: ShardNet | null = null;
let base: tf.LayersModel | null = null;
const send = (m: FromShardThread) => port.postMessage(m);
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function handle(m: ToShardThread): Promise<void> {
  if (m.type === 'init') {
    await initWasmBackend();
    net = await buildReplica(m.spec, m.weights);
    return send({ type: 'ready' });
  }
  if (m.type === 'initBase') {
    await initWasmBackend();
    base = await tf.models.modelFromJSON({ modelTopology: m.topology } as unknown as Parameters<typeof tf.models.modelFromJSON>[0]);
    const values = m.weights.map((w, i) => tf.tensor(w, base!.weights[i]?.shape as number[] | undefined));
    try { base.setWeights(values); } finally { tf.dispose(values); }
    return send({ type: 'ready' });
  }
  if (m.type === 'embed') {
    if (!base) throw new Error('a batch arrived before the base was built');
    const out = tf.tidy(() => base!.predict(tf.tensor(m.input, m.shape)) as tf.Tensor);
    try { return send({ type: 'embedded', id: m.id, features: out.dataSync() as Float32Array }); } finally { out.dispose(); }
  }
  if (m.type !== 'step') throw new Error(`unknown message ${(m as { type?: unknown }).type}`);
  if (!net) throw new Error('a shard arrived before the replica was built');
  if (m.weights) net.assign(m.weights);
  const shards = m.shards.map((s) => ({ input: tf.tensor(s.input, s.shape), labels: s.labels }));
  try {
    send({ type: 'shards', id: m.id, results: net.computeShards(shards) });
  } finally {
    tf.dispose(shards.map((s) => s.input));
  }
}

// One message at a time, in order: a step must never overtake the init or the step before it.
let queue = Promise.resolve();
port.on('message', (m: ToShardThread) => {
  queue = queue.then(() => handle(m)).catch((e) => send({ type: 'error', id: 'id' in m ? m.id : null, message: message(e) }));
});
