// Routes tfjs layers' BatchNormalization in training mode through the fused TlBatchNormTraining
// kernel on wasm. The layer computes its batch statistics with tf.moments and normalises with
// tf.batchNorm inside one module-private function, so no kernel or gradient registration can reach
// it: the hook replaces the class's `call` (shared by every instance, built or loaded) and hands
// back to the original for everything else — inference, other backends, an axis other than the
// last, or a layer without scale or offset.
import * as tf from '@tensorflow/tfjs';
import { BN_TRAINING } from './batch-norm-training.js';

interface LayerVariableLike { read(): tf.Tensor; write(v: tf.Tensor): void }
interface BatchNormLayer {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma?: LayerVariableLike;
  beta?: LayerVariableLike;
  movingMean: LayerVariableLike;
  movingVariance: LayerVariableLike;
}
type Call = (this: BatchNormLayer, inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor;
interface Patchable { call: Call }

let original: Call | null = null;
let prototype: Patchable | null = null;

function batchNormPrototype(): Patchable {
  prototype ??= Object.getPrototypeOf(tf.layers.batchNormalization({})) as Patchable;
  return prototype;
}

function fusedApplies(layer: BatchNormLayer, input: tf.Tensor): boolean {
  return tf.getBackend() === 'wasm' && tf.getKernel(BN_TRAINING, 'wasm') != null
    && input.dtype === 'float32' && input.rank >= 2
    && (layer.axis === -1 || layer.axis === input.rank - 1)
    && layer.center && layer.scale && layer.gamma != null && layer.beta != null;
}

/** The layer's training branch with the fused kernel; the moving averages update as tfjs does. */
function fusedTrainingCall(layer: BatchNormLayer, input: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const [normed, mean, variance] = tf.engine().runKernel(
      BN_TRAINING, { x: input, gamma: layer.gamma!.read(), beta: layer.beta!.read() }, { epsilon: layer.epsilon },
    ) as tf.Tensor[];
    const movingAverage = (variable: LayerVariableLike, value: tf.Tensor) => tf.tidy(() => {
      const old = variable.read();
      variable.write(tf.sub(old, tf.mul(tf.sub(old, value), 1 - layer.momentum)));
    });
    movingAverage(layer.movingMean, mean);
    movingAverage(layer.movingVariance, variance);
    return normed;
  });
}

const fusedCall: Call = function (this: BatchNormLayer, inputs, kwargs) {
  const input = Array.isArray(inputs) && inputs.length === 1 ? inputs[0] : inputs;
  const training = (kwargs?.training ?? false) as boolean;
  if (training && input instanceof tf.Tensor && fusedApplies(this, input)) return fusedTrainingCall(this, input);
  return original!.call(this, inputs, kwargs);
};

/** Installs the hook (idempotent). */
export function installFusedBatchNorm(): void {
  const proto = batchNormPrototype();
  if (proto.call === fusedCall) return;
  original = proto.call;
  proto.call = fusedCall;
}

/** Puts tfjs's own BatchNormalization.call back (for before/after measurements and tests). */
export function uninstallFusedBatchNorm(): void {
  const proto = batchNormPrototype();
  if (proto.call === fusedCall && original) proto.call = original;
}

export function fusedBatchNormInstalled(): boolean {
  return batchNormPrototype().call === fusedCall;
}
