// The real implementations behind EngineDeps: the backend ladder, the data sources, the backbone
// loader and augmentation, each from its own part of the training folder.
import { probeRungs, selectBackend } from '../backends/index.js';
import { loadBackbone } from '../backbones/load.js';
import { augmentBatch, createDataSource, stratifiedSplit } from '../data/index.js';
import type { EngineDeps } from './deps.js';

export function realEngineDeps(): EngineDeps {
  return {
    selectBackend: (choice) => selectBackend(choice),
    probeDevice: async (choice) => {
      const rungs = await probeRungs();
      const active = choice === 'auto' ? rungs.find((r) => r.available)?.rung ?? null : rungs.find((r) => r.rung === choice && r.available)?.rung ?? null;
      return { active, forced: choice, rungs };
    },
    dataSource: (env) => createDataSource({ resourcesDir: env.resourcesDir, dataDir: env.dataDir }),
    loadBackbone: (id, env) => loadBackbone(id, { resourcesDir: env.resourcesDir, dataDir: env.dataDir }),
    split: (labels, valFraction, seed) => stratifiedSplit(labels, valFraction, seed),
    augment: (x, seed) => augmentBatch(x, seed),
  };
}
