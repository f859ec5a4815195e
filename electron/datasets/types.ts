// What a data set is once loaded: decoded bytes, labels and stable sample ids, and the three-way
// split into the images a run trains on, the ones that choose its best epoch (validation) and the
// ones it is finally scored on (test). Shared by the services and the worker.
import type { DatasetRef } from '../contract/index.js';

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
  /** Indices (ascending) of the data set's fixed test pool, when it has one (shipped targets): every
   *  run on the set is scored on exactly these, whatever subset it trained on. */
  fixedTest?: Int32Array;
  /** Hash of the fixed test pool's images alone: their embeddings are shared by every run on the set. */
  testFingerprint?: string;
  /** Hash of the data set's images and their decoding, whatever subset was drawn: with the sample
   *  ids (and `sampleDigests`) it names each image, so the embedding cache shares rows between subsets. */
  setFingerprint?: string;
  /** Per image, a digest of its file's bytes where the set's fingerprint does not cover them (folders). */
  sampleDigests?: string[];
}

/** A deterministic, stratified train/validation split as index lists into LoadedData. */
export interface TwoWaySplit { train: Int32Array; val: Int32Array }

/** Train (shuffled by seed), validation (early stopping and the best epoch only) and test (never
 *  seen by training or by any choice); validation and test ascending. Disjoint. */
export interface Split extends TwoWaySplit { test: Int32Array }

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
