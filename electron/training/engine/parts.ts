// The worker process's implementations behind EngineDeps: the backend ladder, the data sources, the
// backbone loader, augmentation and the Node host (node-host.ts), each from its own part of the
// training folder.
import { clearProbeCache, probeRungs, selectBackend } from '../backends/index.js';
import { describeModel } from '../backbones/describe.js';
import { loadBackbone } from '../backbones/load.js';
import { createDataSource, threeWaySplit } from '../../datasets/index.js';
import { augmentBatch } from './augment.js';
import type { DeviceReport, RungReport } from '../../contract/index.js';
import type { EngineDeps } from './deps.js';
import { nodeEngineHost } from './node-host.js';

// Probing loads native modules; the answer only changes when the user installs something, so it is
// kept until a refresh is asked for. The active rung is the one this process last switched to.
let probed: RungReport[] | null = null;
let active: DeviceReport['active'] = null;

export function realEngineDeps(): EngineDeps {
  return {
    selectBackend: async (choice) => {
      const selection = await selectBackend(choice);
      probed = selection.reports;
      active = selection.rung;
      return selection;
    },
    probeDevice: async (choice, refresh) => {
      if (refresh) clearProbeCache(); // "Probe again" really probes the native packages again
      if (refresh || !probed) probed = await probeRungs();
      const rungs = probed;
      const wouldUse = choice === 'auto' ? rungs.find((r) => r.available)?.rung ?? null : rungs.find((r) => r.rung === choice && r.available)?.rung ?? null;
      return { active: active ?? wouldUse, forced: choice, rungs };
    },
    dataSource: (env) => createDataSource({ resourcesDir: env.resourcesDir, dataDir: env.dataDir }),
    loadBackbone: (id, env) => loadBackbone(id, { resourcesDir: env.resourcesDir, dataDir: env.dataDir }),
    describeModel: (id, env) => describeModel(id, { resourcesDir: env.resourcesDir, dataDir: env.dataDir }),
    split: (data, valFraction, seed) => threeWaySplit(data.labels, valFraction, seed, data.fixedTest),
    augment: (x, seed) => augmentBatch(x, seed),
    host: nodeEngineHost(),
  };
}
