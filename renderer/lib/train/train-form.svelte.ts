// The Train form's live state, shared by the form's parts. Budget fields follow the recommended
// values for the chosen strategy and data set size until the student (or a preset) sets them.
import type { BackboneInfo, DatasetInfo } from '../../../electron/contract/index.js';
import type { TrainPreset } from '../nav.svelte.js';
import { applyPreset, budgetFields, initialValues, recommendedBudget, type BudgetField, type FormValues } from './form-values.js';

export class TrainFormState {
  values = $state<FormValues>(initialValues());
  /** Fields chosen by hand or by a preset: recommendations no longer overwrite them. */
  touched = $state<Partial<Record<keyof FormValues, true>>>({});
  /** Why a lesson or the flowchart filled the form, shown above it until dismissed. */
  presetReason = $state<string | null>(null);

  constructor(initial?: Partial<FormValues>) {
    if (initial) this.values = { ...this.values, ...initial };
  }

  touch(field: keyof FormValues): void {
    this.touched[field] = true;
  }

  applyPreset(preset: TrainPreset): void {
    const { values, set } = applyPreset(this.values, preset);
    this.values = values;
    for (const f of set) this.touched[f] = true;
    this.presetReason = preset.reason ?? null;
  }

  /** Moves untouched budget fields to the recommendation for `images` images. */
  followRecommendation(images: number): void {
    const rec = recommendedBudget(this.values.strategy, images);
    for (const f of budgetFields) if (!this.touched[f]) this.setBudget(f, rec[f]);
  }

  /** "Use recommended values": forgets hand-set budget fields. */
  resetBudget(images: number): void {
    for (const f of budgetFields) delete this.touched[f];
    this.followRecommendation(images);
  }

  private setBudget<K extends BudgetField>(f: K, value: FormValues[K]): void {
    if (this.values[f] !== value) this.values[f] = value;
  }

  /** Keeps the chosen data set and backbone valid when their lists change (first load, removal). */
  ensureChoices(datasets: DatasetInfo[], backbones: BackboneInfo[]): void {
    if (datasets.length && !datasets.some((d) => d.id === this.values.datasetId)) {
      const pick = datasets.find((d) => d.role === 'similar-target') ?? datasets.find((d) => d.role !== 'source') ?? datasets[0];
      this.values.datasetId = pick.id;
    }
    if (backbones.length && !backbones.some((b) => b.id === this.values.backboneId)) {
      const pick = backbones.find((b) => b.available && b.source === 'shipped') ?? backbones.find((b) => b.available) ?? backbones[0];
      this.values.backboneId = pick.id;
    }
  }
}

/** The Train view's form, kept for the session so a visit to another view loses no edits. */
export const trainForm = new TrainFormState();
