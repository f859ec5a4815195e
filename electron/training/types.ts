// Interfaces shared by the parts of the training engine (backbones, backends, strategies), so each
// part can be built and tested on its own. The data interfaces live with the data sets.
import type * as tf from '@tensorflow/tfjs';
import type { Rung, RungReport } from '../contract/index.js';

export type { DataLoadOptions, DataSource, LoadedData, Split } from '../datasets/types.js';

/**
 * A pretrained base without its classification head: input images in [0,1] → a feature vector.
 * `blocks` lists layer names per unfreezable block, bottom to top (fine-tuning unfreezes from the top).
 */
export interface LoadedBackbone {
  id: string;
  format: 'layers' | 'graph';
  inputShape: [number, number, number];
  featureSize: number;
  /** Layers model (layers format) whose output is the pooled feature vector. */
  model: tf.LayersModel | null;
  /** Graph models: a frozen function images → features (cannot be fine-tuned). */
  predictFeatures?: (x: tf.Tensor4D) => tf.Tensor2D;
  blocks: string[][];
  /** Maps [0,1] pixels to what the network was trained on (e.g. [-1,1] for MobileNet). */
  preprocess: (x: tf.Tensor4D) => tf.Tensor4D;
  /** Frees what `model` does not hold (a graph model's weights); safe to call more than once. */
  dispose?: () => void;
}

export interface BackendSelection {
  rung: Rung;
  device: string;
  reports: RungReport[];
}
