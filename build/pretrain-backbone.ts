// Pretrains the shipped backbone "tl-resnet-s" on the shipped *source* data set and writes its base
// (no head) to resources/models/tl-resnet-s/ with a MODEL_CARD.md and its facts.json. One seeded command:
//   npx tsx build/pretrain-backbone.ts [--epochs N] [--limit N] [--out DIR]
// Runs on the wasm rung with our training kernels (the plain cpu backend is far too slow for convs).
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { buildTlResnet, TL_RESNET_ID } from '../electron/training/backbones/tl-resnet.js';
import { saveLayersModelToDir } from '../electron/training/backbones/model-io.js';
import { describeBackboneAt } from '../electron/training/backbones/describe.js';
import { writeFacts } from '../electron/models/facts.js';
import { initWasmBackend } from '../electron/training/kernels/wasm-setup.js';
import { readShippedData } from '../electron/datasets/shipped.js';
import { stratifiedSplit } from '../electron/datasets/stratify.js';
import { createRng, deriveSeed, shuffleInPlace } from '../electron/datasets/prng.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_ID = 'fashion-source';
const SEED = 20240611;
const VAL_FRACTION = 0.1;
const BATCH = 64;
const LR = 2e-3;
const CALIB_IMAGES = 2048;
const TRANSFER_PLACEHOLDER = "## Transfer results\n_Not measured yet: the engine's measuring script fills in this table._";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const EPOCHS = arg('epochs', 8);
const LIMIT = arg('limit', 0); // >0: train on only this many images (a quick smoke run)
const outIdx = process.argv.indexOf('--out');
const OUT = outIdx >= 0 ? path.resolve(process.argv[outIdx + 1]) : path.join(ROOT, 'resources', 'models', TL_RESNET_ID);

/** Images [n,28,28,1] in [0,1] and one-hot labels for the given indices. */
function batchTensors(pixels: Uint8Array, labels: Uint8Array, idx: ArrayLike<number>, classes: number) {
  const px = 28 * 28;
  const x = new Float32Array(idx.length * px);
  const y = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    const src = idx[i] * px;
    for (let k = 0; k < px; k++) x[i * px + k] = pixels[src + k] / 255;
    y[i] = labels[idx[i]];
  }
  return tf.tidy(() => ({ xs: tf.tensor4d(x, [idx.length, 28, 28, 1]), ys: tf.oneHot(tf.tensor1d(y, 'int32'), classes) }));
}

async function evaluate(model: tf.LayersModel, pixels: Uint8Array, labels: Uint8Array, idx: Int32Array, classes: number) {
  let correct = 0;
  let lossSum = 0;
  for (let s = 0; s < idx.length; s += 256) {
    const part = idx.subarray(s, Math.min(idx.length, s + 256));
    const { xs, ys } = batchTensors(pixels, labels, part, classes);
    const [l, c] = tf.tidy(() => {
      const p = model.predict(xs) as tf.Tensor2D;
      const loss = ys.mul(p.clipByValue(1e-7, 1).log()).sum().neg(); // p is already a softmax
      return [loss.dataSync()[0], p.argMax(1).equal(ys.argMax(1)).sum().dataSync()[0]];
    });
    lossSum += l;
    correct += c;
    tf.dispose([xs, ys]);
  }
  return { loss: lossSum / idx.length, acc: correct / idx.length };
}

/**
 * Re-estimates every BatchNorm layer's moving mean and variance from `calib` images, in layer order
 * (each layer sees the already-recalibrated layers below it in inference mode). The moving averages
 * that training keeps (momentum 0.99) lag behind weights that were still changing fast.
 */
function recalibrateBatchNorm(model: tf.LayersModel, pixels: Uint8Array, labels: Uint8Array, calib: Int32Array, classes: number) {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const probe = tf.model({ inputs: model.inputs, outputs: layer.input as tf.SymbolicTensor });
    const channels = (layer.input as tf.SymbolicTensor).shape[3]!;
    let sum = tf.zeros([channels]);
    let sumSq = tf.zeros([channels]);
    let count = 0;
    for (let s = 0; s < calib.length; s += 256) {
      const part = calib.subarray(s, Math.min(calib.length, s + 256));
      const { xs, ys } = batchTensors(pixels, labels, part, classes);
      const [nextSum, nextSumSq] = tf.tidy(() => {
        const h = probe.predict(xs) as tf.Tensor4D;
        return [sum.add(h.sum([0, 1, 2])), sumSq.add(h.square().sum([0, 1, 2]))];
      });
      tf.dispose([xs, ys, sum, sumSq]);
      sum = nextSum;
      sumSq = nextSumSq;
      count += part.length * ((layer.input as tf.SymbolicTensor).shape[1]! * (layer.input as tf.SymbolicTensor).shape[2]!);
    }
    const [gamma, beta] = layer.getWeights();
    const mean = sum.div(count);
    const variance = tf.tidy(() => sumSq.div(count).sub(mean.square()).relu());
    layer.setWeights([gamma, beta, mean, variance]);
    tf.dispose([sum, sumSq, mean, variance]);
  }
}

async function main() {
  await initWasmBackend();
  const data = await readShippedData(path.join(ROOT, 'resources'), SOURCE_ID);
  const classes = data.meta.classes.length;
  const split = stratifiedSplit(data.labels, VAL_FRACTION, deriveSeed(SEED, 'split'));
  const train = LIMIT > 0 ? split.train.slice(0, LIMIT) : split.train;
  const val = split.val;
  console.log(`${SOURCE_ID}: ${train.length} train / ${val.length} val images, ${classes} classes, rung wasm, ${EPOCHS} epochs`);

  const base = buildTlResnet({ seed: SEED });
  const head = tf.layers.dense({ units: classes, activation: 'softmax', name: 'pretrain_head', kernelInitializer: tf.initializers.glorotUniform({ seed: SEED + 1 }) });
  const full = tf.model({ inputs: base.inputs, outputs: head.apply(base.outputs[0]) as tf.SymbolicTensor });
  const steps = Math.ceil(train.length / BATCH) * EPOCHS;
  const optimizer = tf.train.adam(LR);
  full.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  const rng = createRng(deriveSeed(SEED, 'order'));
  const started = Date.now();
  const history: string[] = [];
  let step = 0;
  let last = { loss: 0, acc: 0 };
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    const order = shuffleInPlace(Int32Array.from(train), rng);
    const t0 = Date.now();
    let lossSum = 0;
    let accSum = 0;
    let n = 0;
    for (let s = 0; s < order.length; s += BATCH) {
      // Cosine decay over all steps: a short run still ends with small, stable updates.
      (optimizer as unknown as { learningRate: number }).learningRate = LR * 0.5 * (1 + Math.cos((Math.PI * step) / steps));
      const idx = order.subarray(s, Math.min(order.length, s + BATCH));
      const { xs, ys } = batchTensors(data.pixels, data.labels, idx, classes);
      const [loss, acc] = (await full.trainOnBatch(xs, ys)) as number[];
      tf.dispose([xs, ys]);
      lossSum += loss * idx.length;
      accSum += acc * idx.length;
      n += idx.length;
      step++;
      if (step % 20 === 0) process.stdout.write(`  epoch ${epoch} step ${step}/${steps} loss ${(lossSum / n).toFixed(4)} acc ${(accSum / n).toFixed(4)} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
    }
    last = await evaluate(full, data.pixels, data.labels, val, classes);
    const line = `| ${epoch} | ${(lossSum / n).toFixed(4)} | ${(accSum / n).toFixed(4)} | ${last.loss.toFixed(4)} | ${last.acc.toFixed(4)} | ${((Date.now() - t0) / 1000).toFixed(0)} |`;
    history.push(line);
    console.log(line);
  }
  const beforeRecal = last;
  const calib = Int32Array.from(shuffleInPlace(Int32Array.from(train), createRng(deriveSeed(SEED, 'bn'))).subarray(0, CALIB_IMAGES));
  recalibrateBatchNorm(full, data.pixels, data.labels, calib, classes);
  last = await evaluate(full, data.pixels, data.labels, val, classes);
  console.log(`BatchNorm statistics re-estimated on ${calib.length} training images: val acc ${beforeRecal.acc.toFixed(4)} → ${last.acc.toFixed(4)}`);
  const seconds = (Date.now() - started) / 1000;
  // The measured transfer table is filled in later by another script; a rebuild keeps it.
  const oldCard = existsSync(path.join(OUT, 'MODEL_CARD.md')) ? await readFile(path.join(OUT, 'MODEL_CARD.md'), 'utf8') : '';
  const transfer = /\n## Transfer results\n[\s\S]*?(?=\n## |$)/.exec(oldCard)?.[0];
  if (existsSync(OUT)) await rm(OUT, { recursive: true });
  await saveLayersModelToDir(base, OUT, { id: TL_RESNET_ID, preprocess: 'unit', seed: SEED, sourceValAccuracy: Number(last.acc.toFixed(4)) });
  await writeFile(path.join(OUT, 'MODEL_CARD.md'), card({ transfer, train: train.length, val: val.length, classes: data.meta.classes, seconds, history, valAcc: last.acc, valAccBeforeRecal: beforeRecal.acc, calib: calib.length, params: base.countParams() }));
  // The models list reads facts.json instead of loading the model (describe.test.ts keeps it current).
  await writeFacts(OUT, await describeBackboneAt(TL_RESNET_ID, { source: 'shipped', dir: OUT }));
  console.log(`saved ${OUT} (val acc ${(last.acc * 100).toFixed(1)} %, ${seconds.toFixed(0)} s)`);
  full.dispose();
  optimizer.dispose();
}

function card(r: { transfer?: string; train: number; val: number; classes: string[]; seconds: number; history: string[]; valAcc: number; valAccBeforeRecal: number; calib: number; params: number }): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `# tl-resnet-s — the shipped backbone

A small ResNet-style convolutional network, pretrained by Transfer Lab itself so that the app works
offline. It plays the part of "the pretrained model" in every lesson: a base that learned general
features of one data set (the *source*) and is reused on new ones (the *targets*).

## What it is for
- Input: one 28×28 grayscale image, pixel values scaled to [0, 1].
- Output: 64 features (global average pooling of the last block). No classification head is
  shipped: every run adds a new one, which is exactly what transfer learning does.
- Blocks (bottom → top, for "unfreeze the last N blocks"): \`stem\`, \`block1\`, \`block2\`, \`block3\`.

## Architecture
stem: conv 3×3, 16 channels + BatchNorm + ReLU → block1: basic residual block, 16 channels →
block2: basic block, 32 channels, stride 2, 1×1 projection shortcut → block3: basic block,
64 channels, stride 2, projection shortcut → global average pooling. A basic block is
conv3×3–BN–ReLU–conv3×3–BN, plus the shortcut, then ReLU. BatchNorm epsilon 1e-3.
${r.params.toLocaleString('en-US')} parameters (including BatchNorm moving statistics).

## Source data
\`${SOURCE_ID}\` (shipped under resources/datasets/${SOURCE_ID}/, see its CARD.md): Fashion-MNIST
classes ${r.classes.join(', ')}. None of these classes appears in the target data sets.
${r.train.toLocaleString('en-US')} images trained on, ${r.val.toLocaleString('en-US')} held out for validation (stratified split, seeded).

## Recipe (build/pretrain-backbone.ts)
- Seed ${SEED} (weights, split and batch order all derive from it).
- Temporary head: dense ${r.classes.length}-way softmax, dropped after training.
- Adam, learning rate ${LR} with cosine decay to 0, batch ${BATCH}, ${r.history.length} epochs, no augmentation.
- Afterwards every BatchNorm layer's moving mean and variance is re-estimated, bottom to top, on
  ${r.calib.toLocaleString('en-US')} training images: the running averages (momentum 0.99) lag behind weights that
  were still changing. Validation accuracy before that step: ${(r.valAccBeforeRecal * 100).toFixed(1)} %.
- Rung: wasm (tfjs ${tf.version.tfjs}, with Transfer Lab's training kernels), on ${os.cpus().length} × ${cpu}.

| epoch | train loss | train acc | val loss | val acc | seconds |
|---|---|---|---|---|---|
${r.history.join('\n')}

**Source validation accuracy: ${(r.valAcc * 100).toFixed(1)} %.** Training time: ${r.seconds.toFixed(0)} s (wall clock;
the machine may have been shared with other work, so treat the seconds as an upper bound).

${r.transfer?.trim() ?? TRANSFER_PLACEHOLDER}

## License
MIT, © Transfer Lab authors. Trained only on Fashion-MNIST (MIT, Zalando Research).
`;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
