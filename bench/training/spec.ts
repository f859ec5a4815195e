// What the training suite measures: one workload per child process, the same one in PyTorch, and
// what comes back. Pure data, shared by the parent, the child and the tests.
import type { BackendChoice } from '../../electron/contract/index.js';
import type { BenchArch } from './engine-backbones.js';
import type { SplitSizes } from './engine-data.js';

export type WorkloadKind = 'forward' | 'feature-extraction' | 'fine-tuning';

export interface WorkloadSpec {
  arch: BenchArch;
  kind: WorkloadKind;
  /** Fine-tuning: blocks unfrozen from the top, or all. */
  unfreeze: number | 'all';
  datasetId: string;
  sizes: SplitSizes;
  batch: number;
  /** Feature extraction: head epochs on the cached embeddings. */
  headEpochs: number;
  /** Fine-tuning: epochs run; the fastest counts (noise only ever adds time). */
  ftEpochs: number;
  /** Forward and feature extraction: times each is run; the fastest counts. */
  repeats: number;
  backend: BackendChoice;
  /** Threads the workload may use (the embedding pass's batches, fine-tuning's shards, on wasm), as a
   *  lone run on this machine gets; absent: 1. */
  threads?: number;
  /** Fine-tuning: the cores that fix a batch's shards (the machine's physical cores); absent: threads. */
  cores?: number;
  /** A side-by-side reference row (fine-tuning on one thread), not judged against a goal. */
  reference?: boolean;
}

export interface Timing { wallS: number; cpuS: number }

/** One fine-tuning epoch: its training part (the loop's own clock), and the whole epoch with its validation pass. */
export interface EpochTiming { trainWallS: number; wallS: number; cpuS: number }

export interface EngineResult {
  rung: string;
  device: string;
  /** forward: one pass over the training images; feature extraction: the whole run; fine-tuning: the fastest epoch. */
  main: Timing;
  /** Feature extraction: one forward pass over every image the run embeds (train, validation, test);
   *  with rounds, the median round's. */
  forwardAll?: Timing;
  /** Feature extraction: each paired round's whole run and forward pass, in the order run. */
  cachedRounds?: { run: Timing; forward: Timing }[];
  epochs?: EpochTiming[];
  /** Fine-tuning: wall seconds of the phase's one-off work before its first epoch (the frozen prefix's single pass, when cached). */
  beforeFirstEpochS?: number;
  /** Feature extraction: where each run's embeddings came from (RunResult.embeddingCache; 'memory' = a cache hit). */
  embeddingCache?: string[];
  /** Wall seconds per run phase, in order. */
  phases?: { phase: string; wallS: number }[];
  peak: { rssBytes: number; tensorBytes: number };
}

export interface TorchResult {
  torch: string;
  threads: number;
  /** torch.get_num_threads() before the script set it: what a user gets without asking. */
  defaultThreads: number;
  main: Timing;
  forwardAll?: Timing;
  epochs?: Timing[];
  maxRssBytes: number;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

/** One paired round of a judged workload: the engine and PyTorch on all cores, one right after the other. */
export interface PairedRound { engine: Outcome<EngineResult>; torchAll: Outcome<TorchResult> | null }

export interface WorkloadRun {
  spec: WorkloadSpec;
  /** With rounds: the median round's. */
  engine: Outcome<EngineResult>;
  torchAll: Outcome<TorchResult> | null;
  torchOne: Outcome<TorchResult> | null;
  /** Workloads judged against PyTorch: every paired round, in the order run. */
  rounds?: PairedRound[];
}

export const workloadLabel = (s: WorkloadSpec): string => {
  const threads = s.threads ?? 1;
  const on = `${threads} thread${threads === 1 ? '' : 's'}`;
  if (s.kind === 'forward') return `${s.arch} · forward pass, ${on}`;
  if (s.kind === 'feature-extraction') return `${s.arch} · feature extraction run, ${s.headEpochs} head epochs, ${on}`;
  return `${s.arch} · fine-tuning epoch, ${s.unfreeze === 'all' ? 'full' : `unfreeze top ${s.unfreeze}`}, ${on}`;
};

export interface PlanOptions {
  quick: boolean;
  datasetId?: string;
  train?: number;
  mobileNetTrain?: number;
  ftEpochs?: number;
  backend?: BackendChoice;
  /** Only this network's workloads. */
  arch?: BenchArch;
  /** Threads a fine-tuning run gets (the app's default for a lone run: the physical cores). */
  threads?: number;
}

/** The workloads of one suite run: tl-resnet-s forward, cached FE, full and top-2 fine-tuning; MobileNet forward, cached FE, top-2. */
export function plan(o: PlanOptions): WorkloadSpec[] {
  const train = o.train ?? (o.quick ? 128 : 1024);
  const mobileTrain = o.mobileNetTrain ?? (o.quick ? 64 : Math.min(train, 512));
  const threads = Math.max(1, o.threads ?? 1);
  const base = {
    datasetId: o.datasetId ?? 'fashion-target', batch: 64, headEpochs: 10, ftEpochs: o.ftEpochs ?? (o.quick ? 2 : 3),
    backend: o.backend ?? 'auto', unfreeze: 2 as number | 'all',
  };
  // MobileNet's passes cost ~20× tl-resnet-s's: fewer images and repeats keep the suite short.
  const tl = { ...base, arch: 'tl-resnet-s' as const, sizes: { train, val: 64, test: 64 }, repeats: o.quick ? 1 : 3 };
  const mn = { ...base, arch: 'mobilenet-v1-0.25-224' as const, sizes: { train: mobileTrain, val: 64, test: 64 }, repeats: 1 };
  const all: WorkloadSpec[] = [
    { ...tl, kind: 'forward', threads },
    // Its ratio to a forward pass is judged over paired rounds of ~2 s each: five steady the median.
    { ...tl, kind: 'feature-extraction', threads, repeats: o.quick ? 1 : 5 },
    { ...tl, kind: 'fine-tuning', unfreeze: 'all', threads, cores: threads },
    // The same run on one thread, beside it (the same shards, as a run sharing the machine trains): what the threads buy.
    ...(threads > 1 ? [{ ...tl, kind: 'fine-tuning' as const, unfreeze: 'all' as const, threads: 1, cores: threads, reference: true }] : []),
    { ...tl, kind: 'fine-tuning', unfreeze: 2, threads, cores: threads },
    { ...mn, kind: 'forward', threads },
    { ...mn, kind: 'feature-extraction', threads },
    { ...mn, kind: 'fine-tuning', unfreeze: 2, threads, cores: threads },
  ];
  return o.arch ? all.filter((s) => s.arch === o.arch) : all;
}
