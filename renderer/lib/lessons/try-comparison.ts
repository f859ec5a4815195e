// A lesson's comparison block (```tl-try with `variants`) as training requests: the block's
// settings on the recommended budget for its data, once per variant, so the runs differ only in
// what the variants change (same data, backbone, seed and test images: Compare can pair them).
import type { BackboneInfo, DatasetInfo, TrainRequestInput } from '../../../electron/contract/index.js';
import type { TrainPreset } from '../nav.svelte.js';
import { applyPreset, datasetSize, initialValues, recommendedBudget, toTrainRequest } from '../train/form-values.js';
import { validateForm } from '../train/validate-form.js';
import type { TryEmbed } from './embeds.js';

export function comparisonRequests(embed: TryEmbed, datasets: DatasetInfo[], backbones: BackboneInfo[]): { requests: TrainRequestInput[] } | { error: string } {
  const { label, reason: _reason, variants = [], seeds, ...settings } = embed;
  const datasetId = settings.dataset?.id;
  const dataset = datasets.find((d) => d.id === datasetId);
  const backbone = backbones.find((b) => b.id === settings.backboneId);
  if (!dataset) return { error: `This comparison trains on "${datasetId ?? '(no data set named)'}", which is not available here.` };
  if (!backbone) return { error: `This comparison uses the backbone "${settings.backboneId ?? '(none named)'}", which is not available here.` };
  const preset: TrainPreset = { ...settings, ...(seeds ? { seeds } : {}) };
  const start = applyPreset(initialValues(dataset.id, backbone.id), preset).values;
  const images = datasetSize(dataset, dataset.source === 'folder' ? null : start.perClass);
  // The recommended budget for this data, then the block's own settings over it.
  const base = applyPreset({ ...start, ...recommendedBudget(start.strategy, images) }, preset).values;
  const requests: TrainRequestInput[] = [];
  for (const { label: variantLabel, ...change } of variants) {
    const values = applyPreset(base, change).values;
    const error = validateForm(values, { dataset, backbone }).find((i) => i.severity === 'error');
    if (error) return { error: `"${variantLabel}" cannot start: ${error.message}` };
    values.name = label ? `${label}: ${variantLabel}` : variantLabel;
    requests.push(toTrainRequest(values, dataset));
  }
  return { requests };
}
