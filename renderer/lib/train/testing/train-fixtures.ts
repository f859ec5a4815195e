// Small, hand-checkable data sets and backbones for the Train view's tests.
import type { BackboneInfo, DatasetInfo, DeviceReport } from '../../../../electron/contract/index.js';

export const shippedResnet: BackboneInfo = {
  id: 'tl-resnet-s', name: 'TL ResNet S', source: 'shipped', format: 'layers', canFineTune: true,
  inputShape: [28, 28, 1], available: true, sizeBytes: 40_000, totalParams: 7_500,
  // bottom → top; 500 parameters sit in the stem below the first block
  blockParams: [1_000, 2_000, 4_000], headParamsPerClass: 65,
  description: 'Small ResNet pretrained on the source set.', license: 'MIT',
};

export const graphNet: BackboneInfo = {
  ...shippedResnet, id: 'graph-net', name: 'Graph Net', source: 'imported', format: 'graph', canFineTune: false,
  inputShape: [224, 224, 3], totalParams: 3_000_000, blockParams: [], headParamsPerClass: 1025,
};

export const catalogNet: BackboneInfo = {
  ...shippedResnet, id: 'mobilenet-v1-025', name: 'MobileNet v1 0.25', source: 'catalog', available: false,
  inputShape: [224, 224, 3], totalParams: 470_000, sizeBytes: 1_900_000, blockParams: [10_000, 20_000, 40_000, 400_000],
  headParamsPerClass: 257,
};

export const fashionTarget: DatasetInfo = {
  id: 'fashion-target', name: 'Fashion (target)', source: 'shipped', role: 'similar-target', description: 'Clothing.',
  classes: ['shirt', 'shoe', 'bag', 'coat'], counts: [2_000, 2_000, 2_000, 2_000], imageSize: [28, 28, 1],
};

export const tinyFolder: DatasetInfo = {
  id: 'folder-1', name: 'My photos', source: 'folder', role: 'user', description: '',
  classes: ['cats', 'dogs'], counts: [12, 10], imageSize: [64, 64, 3], path: '/tmp/photos',
};

export const device: DeviceReport = {
  active: 'wasm', forced: 'auto',
  rungs: [
    { rung: 'tfjs-node-gpu', available: false, reason: 'CUDA 11 libraries not found' },
    { rung: 'tfjs-node', available: false, reason: '@tensorflow/tfjs-node is not installed' },
    { rung: 'wasm', available: true, reason: 'WebAssembly with our training kernels', device: 'CPU (wasm)' },
    { rung: 'cpu', available: true, reason: 'Plain JavaScript, slow for convolutions' },
  ],
};
