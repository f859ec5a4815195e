// A sweep's runs: at every size and seed, the pair the pair rule makes (contract/budget.ts through
// training/plan-runs.ts, exactly as the Train form's "Both"), keeping the strategies asked for.
// Fine-tuning starts from the budget rule's defaults for that size; a sweep may override its
// epochs for a quick look, and feature extraction's budget follows from it by the pair rule.
import { defaultConfig } from '../../contract/budget.js';
import type { SweepConfig, TrainConfig } from '../../contract/index.js';
import { planRequest } from '../training/plan-runs.js';
import type { SweepSlot } from './sweep-store.js';

export type PlannedSlot = Omit<SweepSlot, 'pairId' | 'runId'>;

export function fineTuneBase(config: SweepConfig, perClass: number, images: number): TrainConfig {
  return {
    ...defaultConfig('fine-tuning', images),
    backboneId: config.backboneId,
    // A folder's runs all hold out the sweep's test pool (shipped targets have their own).
    dataset: { id: config.datasetId, perClass, ...(config.testPerClass ? { testPerClass: config.testPerClass } : {}) },
    seed: config.seed,
    unfreezeBlocks: config.unfreezeBlocks,
    backend: config.backend,
    ...config.budget,
  };
}

/** Every run of the sweep in queue order: smallest size first, then seed, feature extraction first. */
export function planSweep(config: SweepConfig): PlannedSlot[] {
  const slots: PlannedSlot[] = [];
  for (const { perClass, images } of config.ladder) {
    const base = fineTuneBase(config, perClass, images);
    const groups = planRequest({ config: { ...base, strategy: 'both' }, seeds: config.seeds }, images);
    for (const group of groups) {
      for (const r of group.runs.filter((run) => config.strategies.includes(run.config.strategy))) {
        slots.push({ perClass, images, seed: r.config.seed, strategy: r.config.strategy, config: r.config });
      }
    }
  }
  return slots;
}
