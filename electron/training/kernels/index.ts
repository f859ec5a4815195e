// Training kernels for the tfjs wasm backend: the missing backprops of convolutions, and faster
// replacements for shipped kernels that dominated a training step. Call after
// `await tf.setBackend('wasm'); await tf.ready()` (or use initWasmBackend from ./wasm-setup.js).
import * as tf from '@tensorflow/tfjs';
import { fusedBatchNormWasm } from './batch-norm-inference.js';
import { installFusedBatchNorm } from './batch-norm-layer.js';
import {
  BN_GRAD_INPUT, BN_GRAD_STATS, BN_TRAINING, batchNormGradInputWasm, batchNormGradStatsWasm, batchNormTrainingWasm,
  registerBatchNormTrainingGradient,
} from './batch-norm-training.js';
import { ADAM_UPDATE } from '../engine/fused-adam.js';
import { adamUpdateWasm } from './adam-update.js';
import { conv2DBackpropFilterWasm } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputWasm } from './conv2d-backprop-input.js';
import { installPlainConv2D } from './conv2d-layer.js';
import { depthwiseBackpropFilterWasm, depthwiseBackpropInputWasm } from './depthwise-backprop.js';
import { maxPoolGradWasm } from './max-pool-grad.js';
import { registerMeanGradient } from './mean-gradient.js';
import { identityWasm, meanWasm, sumWasm } from './reduce.js';
import { RELU_GRAD, registerReluGradients, reluGradWasm } from './relu-gradient.js';
import { tileWasm } from './tile.js';
import { captureShippedKernel } from './wasm-heap.js';

/** Kernels this module installs on 'wasm', by tfjs kernel name. */
export const WASM_TRAINING_KERNELS: Readonly<Record<string, tf.KernelFunc>> = {
  Conv2DBackpropFilter: conv2DBackpropFilterWasm as unknown as tf.KernelFunc,
  Conv2DBackpropInput: conv2DBackpropInputWasm as unknown as tf.KernelFunc,
  DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilterWasm as unknown as tf.KernelFunc,
  DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInputWasm as unknown as tf.KernelFunc,
  Tile: tileWasm as unknown as tf.KernelFunc,
  MaxPoolGrad: maxPoolGradWasm as unknown as tf.KernelFunc,
  Sum: sumWasm as unknown as tf.KernelFunc,
  Mean: meanWasm as unknown as tf.KernelFunc,
  Identity: identityWasm as unknown as tf.KernelFunc,
  FusedBatchNorm: fusedBatchNormWasm as unknown as tf.KernelFunc,
  [BN_TRAINING]: batchNormTrainingWasm as unknown as tf.KernelFunc,
  [BN_GRAD_STATS]: batchNormGradStatsWasm as unknown as tf.KernelFunc,
  [BN_GRAD_INPUT]: batchNormGradInputWasm as unknown as tf.KernelFunc,
  [ADAM_UPDATE]: adamUpdateWasm as unknown as tf.KernelFunc,
  [RELU_GRAD]: reluGradWasm as unknown as tf.KernelFunc,
};

/** Kernels our implementations call into; remembered before anything is overridden. */
const BUILDING_BLOCKS = ['Conv2D', 'BatchMatMul', 'DepthwiseConv2dNative', 'Transpose', 'Slice', 'Tile', 'Conv2DBackpropInput', 'MaxPoolGrad', 'Sum', 'Mean', 'Identity', 'FusedBatchNorm'];

/** Registers (or re-registers over the shipped ones) our wasm training kernels, routes
 *  BatchNormalization layers in training mode on wasm through the fused kernels, and plain Conv2D
 *  layers through the op whose input gradient is computed only when needed. Idempotent. */
export function registerWasmTrainingKernels(): void {
  for (const name of BUILDING_BLOCKS) captureShippedKernel(name);
  for (const [kernelName, kernelFunc] of Object.entries(WASM_TRAINING_KERNELS)) {
    const current = tf.getKernel(kernelName, 'wasm');
    if (current?.kernelFunc === kernelFunc) continue;
    if (current) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
  registerMeanGradient();
  registerReluGradients();
  registerBatchNormTrainingGradient();
  installFusedBatchNorm();
  installPlainConv2D();
}
