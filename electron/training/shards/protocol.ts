// Messages between a training run and its helper threads (data-parallel shards). Both ends are this
// process's own code; the thread still checks each message's type and answers errors as messages.
import type { ReplicaSpec, ShardResult, ShardStep, WeightValues } from '../engine/data-parallel.js';

export type ToShardThread =
  | { type: 'init'; spec: ReplicaSpec; weights: WeightValues }
  | ({ type: 'step'; id: number } & ShardStep);

export type FromShardThread =
  | { type: 'ready' }
  | { type: 'shards'; id: number; results: ShardResult[] }
  | { type: 'error'; id: number | null; message: string };
