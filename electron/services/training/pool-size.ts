// How many training processes to run at once. Each worker runs single-threaded wasm (or one native
// backend), so independent runs use the machine best with one worker per physical core; hyper-
// threads share a core's vector units and add little. Each worker holds its own copy of the data and
// the backbone, so memory caps the count too.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { TrainingWorkers } from '../../contract/index.js';

/** Memory one training worker may need (tl-resnet-s at batch 64 peaks well below; MobileNet at 224 px needs about this). */
export const WORKER_MEMORY_BYTES = 1.5 * 1024 ** 3;

/** Physical cores from /proc/cpuinfo (unique physical id + core id); the logical count elsewhere. */
export function physicalCores(cpuinfo: string | null = readCpuinfo(), logical = os.availableParallelism()): number {
  if (!cpuinfo) return logical;
  const cores = new Set<string>();
  let physical = '0';
  for (const line of cpuinfo.split('\n')) {
    const [key, value] = line.split(':').map((s) => s?.trim());
    if (key === 'physical id') physical = value;
    else if (key === 'core id') cores.add(`${physical}/${value}`);
  }
  return cores.size > 0 ? Math.min(cores.size, logical) : logical;
}

function readCpuinfo(): string | null {
  if (process.platform !== 'linux') return null;
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return null;
  }
}

export interface PoolFacts { cores: number; freeBytes: number }

/** The pool size for a setting: a number is taken as asked; 'auto' is the physical cores, capped by free memory, at least 1. */
export function poolSize(setting: TrainingWorkers, facts: PoolFacts = { cores: physicalCores(), freeBytes: os.freemem() }): number {
  if (setting !== 'auto') return setting;
  const byMemory = Math.floor(facts.freeBytes / WORKER_MEMORY_BYTES);
  return Math.max(1, Math.min(facts.cores, byMemory));
}

/** What a training thread adds to its process: a wasm backend and a replica with its shards' activations (measured ~150 MB for tl-resnet-s; MobileNet at 224 px more). */
export const THREAD_MEMORY_BYTES = 256 * 1024 * 1024;

/**
 * Threads one run may use when `running` runs share the machine's `cores` (a run trains data-parallel
 * over them on the wasm backend): the cores split evenly, fewer where free memory is short, at least
 * 1. The pool tells running jobs their new share when one starts or ends. The threads change only
 * the speed: the shards of a batch follow the cores alone.
 */
export function threadsPerRun(running: number, cores = physicalCores(), freeBytes = os.freemem()): number {
  const byMemory = 1 + Math.floor(freeBytes / (THREAD_MEMORY_BYTES * Math.max(1, running)));
  return Math.max(1, Math.min(Math.floor(cores / Math.max(1, running)), byMemory));
}
