// The Train form's values as plain data, and the pure steps around them: recommended budgets for a
// data set size, presets from lessons and the flowchart, and the request sent to training.start.
import { defaultConfig, pairConfigs, totalEpochsOf } from '../../../electron/contract/budget.js';
import type { DatasetInfo, StrategyChoice, TrainConfig, TrainRequestInput } from '../../../electron/contract/index.js';
import type { TrainPreset } from '../nav.svelte.js';


/** Numeric fields are null while their input is empty, so validation can name them. */
export interface FormValues {
  name: string;
  datasetId: string;
  /** Images per class (stratified subset) or null for all. */
  perClass: number | null;
  backboneId: string;
  strategy: StrategyChoice;
  unfreezeBlocks: TrainConfig['unfreezeBlocks'];
  epochs: number | null;
  batchSize: number | null;
  learningRate: number | null;
  optimizer: TrainConfig['optimizer'];
  validationSplit: number | null;
  seed: number | null;
  twoPhase: boolean;
  headEpochs: number | null;
  headLearningRate: number | null;
  trainFrozenBatchNorm: boolean;
  /** Fine-tuning: how the BatchNorm layers it unfreezes behave. */
  unfrozenBatchNorm: TrainConfig['unfrozenBatchNorm'];
  augment: boolean;
  earlyStopping: boolean;
  patience: number | null;
  backend: TrainConfig['backend'];
  /** Repeat the run (or pair) over this many seeds: seed, seed+1, … */
  seeds: number | null;
}

/** Fields whose recommended value depends on strategy and data set size. */
export const budgetFields = [
  'epochs', 'batchSize', 'learningRate', 'unfreezeBlocks', 'twoPhase', 'headEpochs', 'headLearningRate', 'patience',
] as const satisfies readonly (keyof FormValues)[];
export type BudgetField = (typeof budgetFields)[number];

export const subsetChoices: { value: number | null; label: string }[] = [
  { value: 100, label: '100 per class' },
  { value: 1000, label: '1,000 per class' },
  { value: null, label: 'All images' },
];

/** Images the run will use: a per-class subset takes at most `perClass` of each class. */
export function datasetSize(d: DatasetInfo | undefined, perClass: number | null): number {
  if (!d) return 0;
  return d.counts.reduce((sum, n) => sum + (perClass == null ? n : Math.min(n, perClass)), 0);
}

/** Per-class counts after the subset is drawn. */
export function subsetCounts(d: DatasetInfo, perClass: number | null): number[] {
  return d.counts.map((n) => (perClass == null ? n : Math.min(n, perClass)));
}

/**
 * The recommended budget. A pair ("both") shares one budget; it takes fine-tuning's, whose head
 * phase (head learning rate) is what the feature-extraction run trains.
 */
export function recommendedBudget(strategy: StrategyChoice, images: number): Pick<FormValues, BudgetField> {
  const c = defaultConfig(strategy === 'feature-extraction' ? 'feature-extraction' : 'fine-tuning', Math.max(1, images));
  return {
    epochs: c.epochs,
    batchSize: c.batchSize,
    learningRate: c.learningRate,
    unfreezeBlocks: c.unfreezeBlocks,
    twoPhase: c.twoPhase,
    headEpochs: c.headEpochs,
    headLearningRate: c.headLearningRate,
    patience: c.earlyStopping.patience,
  };
}

export function initialValues(datasetId = '', backboneId = '', images = 1000): FormValues {
  const c = defaultConfig('feature-extraction', images);
  return {
    name: '',
    datasetId,
    perClass: 100,
    backboneId,
    strategy: 'feature-extraction',
    ...recommendedBudget('feature-extraction', images),
    optimizer: c.optimizer,
    validationSplit: c.validationSplit,
    seed: c.seed,
    trainFrozenBatchNorm: c.trainFrozenBatchNorm,
    unfrozenBatchNorm: c.unfrozenBatchNorm ?? 'batch-statistics',
    augment: c.augment,
    earlyStopping: c.earlyStopping.enabled,
    backend: c.backend,
    seeds: 1,
  };
}

/** Applies a preset; returns the new values and the fields it set (they count as chosen by hand). */
export function applyPreset(v: FormValues, p: TrainPreset): { values: FormValues; set: (keyof FormValues)[] } {
  const next: FormValues = { ...v };
  const set: (keyof FormValues)[] = [];
  const put = <K extends keyof FormValues>(k: K, value: FormValues[K] | undefined) => {
    if (value === undefined) return;
    next[k] = value;
    set.push(k);
  };
  put('strategy', p.strategy);
  put('backboneId', p.backboneId);
  put('datasetId', p.dataset?.id);
  if (p.dataset && 'perClass' in p.dataset) put('perClass', p.dataset.perClass ?? null);
  put('epochs', p.epochs);
  put('batchSize', p.batchSize);
  put('learningRate', p.learningRate);
  put('optimizer', p.optimizer);
  put('validationSplit', p.validationSplit);
  put('seed', p.seed);
  put('unfreezeBlocks', p.unfreezeBlocks);
  put('twoPhase', p.twoPhase);
  put('headEpochs', p.headEpochs);
  put('headLearningRate', p.headLearningRate);
  put('trainFrozenBatchNorm', p.trainFrozenBatchNorm);
  put('unfrozenBatchNorm', p.unfrozenBatchNorm);
  put('augment', p.augment);
  put('earlyStopping', p.earlyStopping?.enabled);
  put('patience', p.earlyStopping?.patience);
  put('backend', p.backend);
  put('seeds', p.seeds);
  return { values: next, set };
}

/** The training.start request. Call only when validation found no errors (numbers are then set). */
export function toTrainRequest(v: FormValues, dataset: DatasetInfo | undefined): TrainRequestInput {
  const num = (x: number | null, field: string): number => {
    if (x == null || !Number.isFinite(x)) throw new Error(`The form's ${field} is not set.`);
    return x;
  };
  const fineTunes = v.strategy !== 'feature-extraction';
  return {
    ...(v.name.trim() ? { name: v.name.trim() } : {}),
    seeds: num(v.seeds, 'number of seeds'),
    config: {
      strategy: v.strategy,
      backboneId: v.backboneId,
      // A user folder is always used whole; subsets are for the shipped sets.
      dataset: { id: v.datasetId, perClass: dataset?.source === 'folder' ? null : v.perClass },
      epochs: num(v.epochs, 'number of epochs'),
      batchSize: num(v.batchSize, 'batch size'),
      learningRate: num(v.learningRate, 'learning rate'),
      optimizer: v.optimizer,
      validationSplit: num(v.validationSplit, 'validation share'),
      seed: num(v.seed, 'seed'),
      unfreezeBlocks: fineTunes ? v.unfreezeBlocks : 0,
      twoPhase: fineTunes && v.twoPhase,
      headEpochs: fineTunes && v.twoPhase ? num(v.headEpochs, 'number of head epochs') : 0,
      headLearningRate: v.headLearningRate ?? num(v.learningRate, 'learning rate'),
      trainFrozenBatchNorm: fineTunes && v.trainFrozenBatchNorm,
      unfrozenBatchNorm: fineTunes ? v.unfrozenBatchNorm : 'batch-statistics',
      augment: v.augment,
      earlyStopping: { enabled: v.earlyStopping, patience: v.patience ?? 1 },
      backend: v.backend,
    },
  };
}

/**
 * What a pair's runs get under the pair rule (contract/budget.ts pairConfigs), for the form to say:
 * fine-tuning's whole run in epochs, and feature extraction's learning rate, epoch cap and patience.
 * Empty fields count as the recommendation until the form is valid.
 */
export function pairBudget(v: FormValues, images: number) {
  const rec = defaultConfig('fine-tuning', Math.max(1, images));
  const [fe, ft] = pairConfigs({
    ...rec,
    epochs: v.epochs ?? rec.epochs,
    batchSize: v.batchSize ?? rec.batchSize,
    validationSplit: v.validationSplit ?? rec.validationSplit,
    twoPhase: v.twoPhase,
    headEpochs: v.headEpochs ?? rec.headEpochs,
    headLearningRate: v.headLearningRate ?? rec.headLearningRate,
    earlyStopping: { enabled: v.earlyStopping, patience: v.patience ?? rec.earlyStopping.patience },
  }, images > 0 ? images : null);
  return { fineTuneEpochs: totalEpochsOf(ft), featureExtraction: { learningRate: fe.learningRate, epochs: fe.epochs, patience: fe.earlyStopping.patience } };
}
