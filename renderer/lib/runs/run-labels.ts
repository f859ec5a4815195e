// Short labels for compared runs ("FE · seed 42"), as chart legends have little room; the full run
// name goes in a tooltip. When two runs would read the same, the setting that tells them apart is
// added (BatchNorm mode, unfrozen blocks, subset, data set, learning rate), then a number.
import type { RunDetail } from '../../../electron/contract/index.js';
import { strategyShort } from './format.js';

type Labelled = Pick<RunDetail, 'id' | 'name' | 'strategy' | 'seed' | 'datasetId' | 'perClass'> & { config?: Pick<RunDetail['config'], 'unfrozenBatchNorm' | 'unfreezeBlocks' | 'learningRate'> };

export const bnModeShort = { 'batch-statistics': 'BN batch stats', inference: 'BN inference' } as const;

const distinguishers: ((r: Labelled) => string)[] = [
  (r) => (r.strategy === 'fine-tuning' && r.config ? bnModeShort[r.config.unfrozenBatchNorm ?? 'batch-statistics'] : ''),
  (r) => (r.strategy === 'fine-tuning' && r.config ? `unfreeze ${r.config.unfreezeBlocks}` : ''),
  (r) => (r.perClass ? `${r.perClass}/class` : 'all images'),
  (r) => r.datasetId,
  (r) => (r.config ? `lr ${r.config.learningRate}` : ''),
];

export function shortLabels(runs: Labelled[]): Map<string, string> {
  const labels = new Map(runs.map((r) => [r.id, `${strategyShort[r.strategy]} · seed ${r.seed}`]));
  const clashing = () => {
    const seen = new Map<string, number>();
    for (const l of labels.values()) seen.set(l, (seen.get(l) ?? 0) + 1);
    return runs.filter((r) => (seen.get(labels.get(r.id)!) ?? 0) > 1);
  };
  for (const part of distinguishers) {
    const clash = clashing();
    if (clash.length === 0) break;
    // Only a setting that differs within a clashing group tells its runs apart.
    const byLabel = new Map<string, Labelled[]>();
    for (const r of clash) byLabel.set(labels.get(r.id)!, [...(byLabel.get(labels.get(r.id)!) ?? []), r]);
    for (const group of byLabel.values()) {
      if (new Set(group.map(part)).size < 2) continue;
      for (const r of group) if (part(r)) labels.set(r.id, `${labels.get(r.id)} · ${part(r)}`);
    }
  }
  const counter = new Map<string, number>();
  for (const r of clashing()) {
    const base = labels.get(r.id)!;
    const k = (counter.get(base) ?? 0) + 1;
    counter.set(base, k);
    labels.set(r.id, `${base} #${k}`);
  }
  return labels;
}
