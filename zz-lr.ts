import { runTraining } from './electron/training/engine/run-training.js';
import { defaultConfig } from './electron/training/engine/defaults.js';
const env = { resourcesDir: '/work/main/resources', dataDir: '/tmp/zzlr', backend: 'wasm' as const };
for (const [id, perClass, n] of [['fashion-target', 100, 500], ['digits', null, 5000]] as const) {
  for (const lr of [1e-3, 3e-3, 1e-2, 3e-2]) {
    const cfg = { ...defaultConfig('feature-extraction', n), dataset: { id, perClass }, learningRate: lr };
    let last = '';
    const out = await runTraining('x', cfg, env, (m) => { if (m.type === 'epoch') last = `${m.metrics.epoch} ${m.metrics.valAcc.toFixed(3)} ${m.metrics.valLoss.toFixed(3)}`; }, new AbortController().signal);
    console.log(id, lr, out.status === 'completed' ? out.result.finalValAcc.toFixed(3) : out, 'last', last, out.status === 'completed' ? out.result.totalSeconds.toFixed(1) : '');
  }
}
