// Messages between a training run and its helper threads (data-parallel shards, or batches of the
// embedding pass). Both ends are this
// process's own code; the thread still checks each message's type and answers errors as messages.
import type { ReplicaSpec, ShardResult, ShardStep, WeightValues } from '../engine/data-parallel.js';

export type ToShardThread =
  | { type: 'init'; spec: ReplicaSpec; weights: WeightValues }
  | ({ type: 'step'; id: number } & ShardStep)
  /** A frozen base for the embedding pass: its topology and every weight, in `model.weights` order. */
  | { type: 'initBase'; topology: Record<string, unknown>; weights: WeightValues }
  | { type: 'embed'; id: number; input: Float32Array; shape: number[] };

export type FromShardThread =
  | { type: 'ready' }
  | { type: 'shards'; id: number; results: ShardResult[] }
  | { type: 'embedded'; id: number; features: Float32Array }
  | { type: 'error'; id: number | null; message: string };
