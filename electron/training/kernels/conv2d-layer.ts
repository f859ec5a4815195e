// Routes tfjs layers' Conv2D without bias or activation through the plain conv2d op on wasm. The
// layer calls tf.fused.conv2d, whose gradient (a customGrad) computes the input's gradient whether
// or not anything needs it: for the first convolution (its input is the image) and for the first
// unfrozen one over cached prefix output that is a whole transposed convolution per step thrown away
// (the stem's was ~4 % of a tl-resnet-s step). The plain op's registered gradient is lazy, so the tape
// skips it. Forward and filter gradient run the very kernels they did (the shipped Conv2D is the
// fused one without bias or activation), so training is bit for bit the same (tested).
import * as tf from '@tensorflow/tfjs';

interface ConvLayer {
  rank: number;
  kernel: { read(): tf.Tensor };
  bias: unknown;
  strides: number[];
  padding: string;
  dataFormat: string;
  dilationRate: number | number[];
  activation: { getClassName(): string };
}
type Call = (this: ConvLayer, inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor;
interface Patchable { call: Call }

let original: Call | null = null;
let prototype: Patchable | null = null;

function conv2dPrototype(): Patchable {
  prototype ??= Object.getPrototypeOf(tf.layers.conv2d({ filters: 1, kernelSize: 1 })) as Patchable;
  return prototype;
}

function plainApplies(layer: ConvLayer, input: tf.Tensor): boolean {
  const dilations = Array.isArray(layer.dilationRate) ? layer.dilationRate : [layer.dilationRate];
  return tf.getBackend() === 'wasm' && layer.rank === 2 && input.rank === 4 && input.dtype === 'float32'
    && layer.bias == null && layer.activation.getClassName() === 'linear'
    && layer.dataFormat === 'channelsLast' && dilations.every((d) => d === 1)
    && (layer.padding === 'same' || layer.padding === 'valid');
}

const plainCall: Call = function (this: ConvLayer, inputs, kwargs) {
  const input = Array.isArray(inputs) && inputs.length === 1 ? inputs[0] : inputs;
  if (input instanceof tf.Tensor && plainApplies(this, input)) {
    return tf.conv2d(input as tf.Tensor4D, this.kernel.read() as tf.Tensor4D, this.strides as [number, number], this.padding as 'same' | 'valid');
  }
  return original!.call(this, inputs, kwargs);
};

/** Installs the hook (idempotent). */
export function installPlainConv2D(): void {
  const proto = conv2dPrototype();
  if (proto.call === plainCall) return;
  original = proto.call;
  proto.call = plainCall;
}

/** Puts tfjs's own Conv2D.call back (for before/after measurements and tests). */
export function uninstallPlainConv2D(): void {
  const proto = conv2dPrototype();
  if (proto.call === plainCall && original) proto.call = original;
}
