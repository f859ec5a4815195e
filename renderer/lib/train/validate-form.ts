// Checks the Train form before a run starts, so an impossible or unwise combination is explained up
// front instead of failing minutes later. Pure: the form shows what this returns.
import type { BackboneInfo, DatasetInfo, DeviceReport } from '../../../electron/contract/index.js';
import { formatBytes, formatCount, formatRate } from './format.js';
import { datasetSize, subsetCounts, type FormValues } from './form-values.js';
import { estimateMemory } from './params.js';

export type Severity = 'error' | 'warning' | 'info';
export interface FormIssue {
  severity: Severity;
  /** The field the issue is about (for placing it), or 'form' for the whole combination. */
  field: keyof FormValues | 'form';
  message: string;
}

export interface ValidationContext {
  dataset: DatasetInfo | undefined;
  backbone: BackboneInfo | undefined;
  device?: DeviceReport | null;
}

/** Fine-tuning should only nudge pretrained filters: above this, warn. */
export const FINE_TUNE_LR_WARN = 5e-4;
export const FINE_TUNE_LR_RECOMMENDED = 1e-4;
/** The slide's rule of thumb: below this many images, fine-tuning tends to overfit. */
export const SMALL_DATA = 1000;

const limits = {
  epochs: [1, 500, 'Epochs'],
  batchSize: [1, 1024, 'Batch size'],
  seed: [0, 2_147_483_647, 'Seed'],
  patience: [1, 100, 'Early-stopping patience'],
  headEpochs: [1, 500, 'Head epochs'],
  seeds: [1, 10, 'Seeds to repeat over'],
} as const;

function integerIssue(v: FormValues, field: keyof typeof limits): FormIssue | null {
  const [min, max, label] = limits[field];
  const x = v[field];
  if (x == null || !Number.isFinite(x)) return { severity: 'error', field, message: `${label}: enter a whole number from ${min} to ${formatCount(max)}.` };
  if (!Number.isInteger(x) || x < min || x > max) return { severity: 'error', field, message: `${label} must be a whole number from ${min} to ${formatCount(max)} (got ${x}).` };
  return null;
}

function rateIssue(x: number | null, field: 'learningRate' | 'headLearningRate', label: string): FormIssue | null {
  if (x == null || !Number.isFinite(x)) return { severity: 'error', field, message: `${label}: enter a number such as 0.001.` };
  if (x <= 0 || x > 1) return { severity: 'error', field, message: `${label} must be above 0 and at most 1 (got ${x}).` };
  return null;
}

function datasetIssues(v: FormValues, d: DatasetInfo | undefined, out: FormIssue[]): void {
  if (!d) {
    out.push({ severity: 'error', field: 'datasetId', message: v.datasetId ? `Data set "${v.datasetId}" is not available any more: choose another.` : 'Choose a data set to train on.' });
    return;
  }
  if (d.classes.length < 2) out.push({ severity: 'error', field: 'datasetId', message: `"${d.name}" has ${d.classes.length} class${d.classes.length === 1 ? '' : 'es'}: a classifier needs at least 2.` });
  const counts = subsetCounts(d, d.source === 'folder' ? null : v.perClass);
  const empty = d.classes.filter((_, i) => (d.counts[i] ?? 0) === 0);
  if (empty.length) out.push({ severity: 'error', field: 'datasetId', message: `Class ${empty.map((c) => `"${c}"`).join(', ')} has no images: add images or remove the folder.` });
  const tiny = d.classes.filter((_, i) => counts[i] === 1);
  if (tiny.length) out.push({ severity: 'error', field: 'datasetId', message: `Class ${tiny.map((c) => `"${c}"`).join(', ')} has a single image: each class needs at least 2 (one to train on, one to validate).` });
  if (v.perClass != null && d.source !== 'folder') {
    const short = d.classes.filter((_, i) => d.counts[i] > 0 && d.counts[i] < v.perClass!);
    if (short.length) out.push({ severity: 'info', field: 'perClass', message: `${short.length} class${short.length === 1 ? ' has' : 'es have'} fewer than ${formatCount(v.perClass)} images and will use all they have.` });
  }
}

function backboneIssues(v: FormValues, b: BackboneInfo | undefined, out: FormIssue[]): void {
  if (!b) {
    out.push({ severity: 'error', field: 'backboneId', message: v.backboneId ? `Backbone "${v.backboneId}" is not available any more: choose another.` : 'Choose a backbone (the pretrained model).' });
    return;
  }
  if (!b.available) out.push({ severity: 'error', field: 'backboneId', message: `${b.name} is not downloaded yet: download it in the backbone catalog, or choose another.` });
  if (v.strategy !== 'feature-extraction' && !b.canFineTune) {
    out.push({
      severity: 'error', field: 'strategy',
      message: `${b.name} is a ${b.format === 'graph' ? 'graph model' : 'model that cannot be trained'}: it can only serve as a frozen feature extractor. Choose "Feature extraction", or a layers model to fine-tune.`,
    });
  }
}

/** Repeating over seeds: the last seed must still be a valid seed, and say what will run. */
function seedIssues(v: FormValues, out: FormIssue[]): void {
  const k = v.seeds;
  if (v.seed == null || k == null || !Number.isInteger(k) || k < 2 || k > limits.seeds[1]) return;
  const last = v.seed + k - 1;
  if (last > limits.seed[1]) {
    out.push({ severity: 'error', field: 'seeds', message: `Seeds ${v.seed} to ${last} go past the largest seed (${formatCount(limits.seed[1])}): lower the seed or repeat over fewer.` });
    return;
  }
  const what = v.strategy === 'both' ? `${k} pairs (${2 * k} runs)` : `${k} runs`;
  out.push({ severity: 'info', field: 'seeds', message: `Trains ${what} with seeds ${v.seed} to ${last}; History and Compare show them together as mean ± sd.` });
}

/** Returns every issue, errors first. Start is allowed when there is no error. */
export function validateForm(v: FormValues, ctx: ValidationContext): FormIssue[] {
  const out: FormIssue[] = [];
  const { dataset: d, backbone: b } = ctx;
  const fineTunes = v.strategy !== 'feature-extraction';
  datasetIssues(v, d, out);
  backboneIssues(v, b, out);

  for (const f of ['epochs', 'batchSize', 'seed', 'seeds'] as const) {
    const issue = integerIssue(v, f);
    if (issue) out.push(issue);
  }
  seedIssues(v, out);
  if (v.earlyStopping) {
    const issue = integerIssue(v, 'patience');
    if (issue) out.push(issue);
  }
  const lrIssue = rateIssue(v.learningRate, 'learningRate', 'Learning rate');
  if (lrIssue) out.push(lrIssue);
  if (v.validationSplit == null || !(v.validationSplit >= 0.05 && v.validationSplit <= 0.5)) {
    out.push({ severity: 'error', field: 'validationSplit', message: 'Validation share must be between 5 % and 50 % of the images.' });
  }
  if (fineTunes && v.twoPhase) {
    const he = integerIssue(v, 'headEpochs');
    if (he) out.push(he);
    const hl = rateIssue(v.headLearningRate, 'headLearningRate', 'Head learning rate');
    if (hl) out.push(hl);
  }

  // Batch size against the training set (what is left after the validation share is held out).
  const images = d ? datasetSize(d, d.source === 'folder' ? null : v.perClass) : 0;
  const split = v.validationSplit ?? 0.2;
  const trainImages = images - Math.max(d?.classes.length ?? 1, Math.round(images * split));
  if (d && images > 0 && v.batchSize != null && v.batchSize > Math.max(1, trainImages)) {
    out.push({
      severity: 'error', field: 'batchSize',
      message: `Batch size ${v.batchSize} is larger than the training set (${formatCount(Math.max(0, trainImages))} images after holding out ${Math.round(split * 100)} % for validation). Use at most ${formatCount(Math.max(1, trainImages))}.`,
    });
  }

  if (fineTunes && v.learningRate != null && v.learningRate > FINE_TUNE_LR_WARN) {
    out.push({
      severity: 'warning', field: 'learningRate',
      message: `Learning rate ${formatRate(v.learningRate)} is high for fine-tuning: large steps overwrite the pretrained filters ("catastrophic forgetting"). Try ${formatRate(FINE_TUNE_LR_RECOMMENDED)} or lower.`,
    });
  }
  if (!fineTunes && v.learningRate != null && v.learningRate > 0.05) {
    out.push({ severity: 'warning', field: 'learningRate', message: `Learning rate ${formatRate(v.learningRate)} is high even for a new head: the loss may jump around. 1e-3 is the usual start with Adam.` });
  }
  if (fineTunes && b?.canFineTune && v.unfreezeBlocks === 0) {
    out.push({ severity: 'warning', field: 'unfreezeBlocks', message: 'No blocks unfrozen: only the head trains, which is feature extraction without the embedding cache. Move the slider to unfreeze the top blocks.' });
  }
  if (fineTunes && v.twoPhase && v.headLearningRate != null && v.learningRate != null && v.learningRate > v.headLearningRate) {
    out.push({ severity: 'warning', field: 'learningRate', message: 'The fine-tuning learning rate is higher than the head\'s: usually it is 10× lower, so the pretrained part moves less than the new head.' });
  }
  if (fineTunes && d && images > 0 && images < SMALL_DATA) {
    out.push({ severity: 'info', field: 'strategy', message: `Only ${formatCount(images)} images: with fewer than ${formatCount(SMALL_DATA)}, fine-tuning tends to overfit and feature extraction is often as good (the flowchart's first question).` });
  }
  if (!fineTunes && v.augment) {
    out.push({ severity: 'info', field: 'augment', message: 'With augmentation every epoch sees altered images, so the frozen base cannot be run once and cached: feature extraction gets slower.' });
  }
  if (v.strategy === 'feature-extraction' && v.trainFrozenBatchNorm) {
    out.push({ severity: 'info', field: 'trainFrozenBatchNorm', message: 'The BatchNorm experiment only matters when fine-tuning: feature extraction runs the whole base in inference mode.' });
  }

  // Backend forced onto a rung the device probe found unavailable.
  const rung = ctx.device?.rungs.find((r) => r.rung === v.backend);
  if (v.backend !== 'auto' && rung && !rung.available) {
    out.push({ severity: 'error', field: 'backend', message: `The ${v.backend} backend is not available here: ${rung.reason}. Choose "auto" or another backend.` });
  }

  // Memory estimate against the GPU's memory, where known.
  const active = ctx.device?.rungs.find((r) => r.rung === (v.backend === 'auto' ? ctx.device?.active : v.backend));
  if (b && d && active?.memoryMB && v.batchSize) {
    const strategy = fineTunes ? 'fine-tuning' : 'feature-extraction';
    const est = estimateMemory({ backbone: b, strategy, unfreeze: v.unfreezeBlocks, classes: d.classes.length, batchSize: v.batchSize, optimizer: v.optimizer, images });
    if (est.total > active.memoryMB * 1024 * 1024 * 0.9) {
      out.push({ severity: 'warning', field: 'batchSize', message: `Estimated memory ${formatBytes(est.total)} is close to or above the ${formatBytes(active.memoryMB * 1024 * 1024)} of ${active.gpuName ?? active.rung}: lower the batch size or unfreeze fewer blocks.` });
    }
  }

  const order: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  return out.sort((a, b2) => order[a.severity] - order[b2.severity]);
}

export const hasErrors = (issues: FormIssue[]): boolean => issues.some((i) => i.severity === 'error');
