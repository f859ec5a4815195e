// `tsx bench/training/shard-loop.ts [steps]`: a fixed piece of a pair's own work on one thread — the
// training steps of 16-image shards through tl-resnet-s's top two blocks on wasm, as a pair's
// fine-tuning computes them. After a warm-up it prints "ready", waits for a line on stdin, runs the
// steps and prints their wall seconds, so that several copies can be started together (machine-scaling.ts).
import * as tf from '@tensorflow/tfjs';
import { createInterface } from 'node:readline';
import { ShardNet } from '../../electron/training/engine/data-parallel.js';
import { frozenLayerNames } from '../../electron/training/engine/graph.js';
import { createHead } from '../../electron/training/engine/head.js';
import { prepareFineTuning } from '../../electron/training/engine/strategies.js';
import { freshBackbone } from '../../electron/training/engine/testing/engine-fixtures.js';
import { initWasmBackend } from '../../electron/training/kernels/wasm-setup.js';

const SHARD = 16;
const steps = Math.max(1, Number(process.argv[2]) || 60);

await initWasmBackend();
tf.env().set('PROD', true);
const backbone = freshBackbone(7);
const split = prepareFineTuning(backbone, frozenLayerNames(backbone.model!, backbone.blocks, 2));
const net = new ShardNet(split.suffix!, createHead(64, 10, 11), true);
const x = tf.randomUniform([SHARD, ...(split.suffix!.inputs[0].shape.slice(1) as number[])], 0, 1, 'float32', 3);
const labels = Int32Array.from({ length: SHARD }, (_, i) => i % 10);
for (let i = 0; i < 3; i++) net.computeShard(x, labels);
process.stdout.write('ready\n');
await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()));
const t0 = performance.now();
for (let i = 0; i < steps; i++) net.computeShard(x, labels);
process.stdout.write(`${(performance.now() - t0) / 1000}\n`);
process.exit(0);
