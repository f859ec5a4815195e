// What a data set is once loaded: decoded bytes, labels and stable sample ids, and the split into
// the images a run trains on and the ones it is scored on. Shared by the services and the worker.
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
