// Interfaces shared by the parts of the training engine (data, backbones, backends, strategies),
// so each part can be built and tested on its own.
import type * as tf from '@tensorflow/tfjs';
import type { DatasetRef, Rung, RungReport } from '../contract/index.js';

/** Decoded images as bytes (0-255), NHWC order; the engine scales and resizes them per batch. */
export interface LoadedData {
  datasetId: string;
  classes: string[];
  /** [H, W, C] of every image in `pixels`. */
  shape: [number, number, number];
  pixels: Uint8Array;
  labels: Int32Array;
  /** Stable id per image (e.g. "train/123" or a path relative to the user's folder). */
  sampleIds: string[];
  /** Hash of (dataset, subset, preprocessing) for the on-disk embedding cache key. */
  fingerprint: string;
}

/** A deterministic, stratified train/validation split as index lists into LoadedData. */
export interface Split { train: Int32Array; val: Int32Array }

export interface DataLoadOptions {
  /** The backbone's input [H, W, C]: user images are decoded straight to it with sharp. Shipped sets
   *  keep their native size (the engine resizes per batch, so a 224 px model never holds 224 px copies). */
  targetShape: [number, number, number];
  seed: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface DataSource {
  load(ref: DatasetRef, opts: DataLoadOptions): Promise<LoadedData>;
}

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
