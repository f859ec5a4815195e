import { describe, expect, it } from 'vitest';
import { defaultConfig, pairConfigs } from '../../contract/budget.js';
import { TrainRequest } from '../../contract/index.js';
import { planRequest } from './plan-runs.js';

const ft = { ...defaultConfig('fine-tuning', 500), dataset: { id: 'digits', perClass: 50 } };

describe('planRequest', () => {
  it('turns "both" into one pair under the pair rule', () => {
    const groups = planRequest({ config: { ...ft, strategy: 'both' }, name: 'Digits' }, 500);
    const { strategy: _s, ...rest } = ft;
    expect(groups).toEqual([{ paired: true, runs: pairConfigs(rest, 500).map((config) => ({ config, name: `Digits · ${config.strategy === 'fine-tuning' ? 'Fine-tuning' : 'Feature extraction'}` })) }]);
  });

  it('repeats a run or a pair over consecutive seeds, named by seed', () => {
    const request = TrainRequest.parse({ config: { ...ft, strategy: 'both', seed: 42 }, seeds: 3 });
    const groups = planRequest(request, 500);
    expect(groups.map((g) => g.runs.map((r) => [r.config.strategy, r.config.seed]))).toEqual([42, 43, 44].map((s) => [['feature-extraction', s], ['fine-tuning', s]]));
    expect(groups[1].runs[1].name).toBe('Fine-tuning · digits ×50/class · tl-resnet-s · seed 43');
    const single = planRequest({ config: { ...ft, strategy: 'fine-tuning' }, name: 'Mine', seeds: 2 }, null);
    expect(single.map((g) => [g.paired, g.runs.map((r) => r.name)])).toEqual([[false, ['Mine · seed 42']], [false, ['Mine · seed 43']]]);
    // One seed (the default) adds nothing to the name.
    expect(planRequest(TrainRequest.parse({ config: { ...ft, strategy: 'fine-tuning' } }), null)[0].runs[0].name).toBe('Fine-tuning · digits ×50/class · tl-resnet-s');
  });
});
