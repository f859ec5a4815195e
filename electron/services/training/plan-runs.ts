// What one training request becomes: one run or a linked pair, repeated over k seeds (seed, seed+1,
// …). A pair follows the one budget rule (contract/budget.ts pairConfigs). Pure, so the naming and
// the budget can be tested without a worker.
import { pairConfigs, repeatSeeds } from '../../contract/budget.js';
import { STRATEGY_LABEL, type TrainConfig, type TrainRequest } from '../../contract/index.js';

export interface PlannedGroup {
  /** The runs of one seed: a pair (feature extraction, then fine-tuning) or a single run. */
  paired: boolean;
  runs: Array<{ config: TrainConfig; name: string }>;
}

export function defaultRunName(config: TrainConfig): string {
  const subset = config.dataset.perClass ? ` ×${config.dataset.perClass}/class` : ' (all)';
  return `${STRATEGY_LABEL[config.strategy]} · ${config.dataset.id}${subset} · ${config.backboneId}`;
}

/**
 * `datasetSize`: the images the runs train and validate on (null when unknown), which sets the
 * feature-extraction run's cap in a pair.
 */
export function planRequest(request: Pick<TrainRequest, 'config' | 'name'> & { seeds?: number }, datasetSize: number | null): PlannedGroup[] {
  const { strategy, ...rest } = request.config;
  const seeds = repeatSeeds(rest.seed, request.seeds ?? 1);
  const repeated = seeds.length > 1;
  return seeds.map((seed) => {
    const base = { ...rest, seed };
    const configs = strategy === 'both' ? pairConfigs(base, datasetSize) : [{ ...base, strategy }];
    const paired = configs.length > 1;
    return {
      paired,
      runs: configs.map((config) => {
        const named = request.name ? (paired ? `${request.name} · ${STRATEGY_LABEL[config.strategy]}` : request.name) : defaultRunName(config);
        return { config, name: repeated ? `${named} · seed ${seed}` : named };
      }),
    };
  });
}
