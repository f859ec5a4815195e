// "tl-resnet-s": the small ResNet-style base that ships with the app (pretrained by
// build/pretrain-backbone.ts). 28×28×1 images in [0,1] → 64 pooled features.
import * as tf from '@tensorflow/tfjs';

export const TL_RESNET_ID = 'tl-resnet-s';
export const TL_RESNET_INPUT: [number, number, number] = [28, 28, 1];
export const TL_RESNET_FEATURES = 64;
/** Unfreezable blocks, bottom → top. Every layer of the base (except the input) belongs to one. */
export const TL_RESNET_BLOCKS = ['stem', 'block1', 'block2', 'block3'] as const;
/** The parameter-free pooling layer; it sits in the top block so every layer has a block. */
export const TL_RESNET_POOL = 'features_pool';
const BN_EPSILON = 1e-3;

export interface TlResnetOptions { seed: number }

/** Builds the untrained base with deterministic (seeded) initial weights. */
export function buildTlResnet({ seed }: TlResnetOptions): tf.LayersModel {
  // Each conv gets its own seed, derived from the run seed, so same seed → bit-identical weights.
  let nextSeed = seed * 97 + 1;
  const conv = (name: string, filters: number, kernel: number, strides: number) =>
    tf.layers.conv2d({
      name, filters, kernelSize: kernel, strides, padding: 'same', useBias: false,
      kernelInitializer: tf.initializers.heNormal({ seed: nextSeed++ }),
    });
  const bn = (name: string) => tf.layers.batchNormalization({ name, epsilon: BN_EPSILON, momentum: 0.99 });
  const relu = (name: string) => tf.layers.activation({ name, activation: 'relu' });
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor) => layer.apply(x) as tf.SymbolicTensor;

  const basicBlock = (prefix: string, x: tf.SymbolicTensor, filters: number, strides: number) => {
    let y = apply(conv(`${prefix}_conv1`, filters, 3, strides), x);
    y = apply(bn(`${prefix}_bn1`), y);
    y = apply(relu(`${prefix}_relu1`), y);
    y = apply(conv(`${prefix}_conv2`, filters, 3, 1), y);
    y = apply(bn(`${prefix}_bn2`), y);
    let shortcut = x;
    if (strides !== 1 || (x.shape[3] ?? filters) !== filters) {
      // Projection shortcut: the block changes resolution and width.
      shortcut = apply(conv(`${prefix}_proj_conv`, filters, 1, strides), x);
      shortcut = apply(bn(`${prefix}_proj_bn`), shortcut);
    }
    const sum = tf.layers.add({ name: `${prefix}_add` }).apply([y, shortcut]) as tf.SymbolicTensor;
    return apply(relu(`${prefix}_relu2`), sum);
  };

  const input = tf.input({ shape: TL_RESNET_INPUT, name: 'input' });
  let x = apply(conv('stem_conv', 16, 3, 1), input);
  x = apply(bn('stem_bn'), x);
  x = apply(relu('stem_relu'), x);
  x = basicBlock('block1', x, 16, 1);
  x = basicBlock('block2', x, 32, 2);
  x = basicBlock('block3', x, 64, 2);
  const features = apply(tf.layers.globalAveragePooling2d({ name: TL_RESNET_POOL }), x);
  return tf.model({ inputs: input, outputs: features, name: TL_RESNET_ID });
}

/** Layer names per block, bottom → top, read from a tl-resnet model (built here or loaded from disk). */
export function tlResnetBlocks(model: tf.LayersModel): string[][] {
  const blocks: string[][] = TL_RESNET_BLOCKS.map(() => []);
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    const i = TL_RESNET_BLOCKS.findIndex((b) => layer.name.startsWith(`${b}_`));
    if (i >= 0) blocks[i].push(layer.name);
    else if (layer.name === TL_RESNET_POOL) blocks[blocks.length - 1].push(layer.name);
    else throw new Error(`Layer '${layer.name}' belongs to no block of ${TL_RESNET_ID}`);
  }
  return blocks;
}

/** True when a model's layer names follow the tl-resnet scheme (stem_…, block1_…). */
export function looksLikeTlResnet(layerNames: string[]): boolean {
  return layerNames.some((n) => n.startsWith('stem_')) && layerNames.some((n) => n.startsWith('block1_'));
}
