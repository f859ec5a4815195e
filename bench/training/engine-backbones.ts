// The backbones the bench trains, each loaded by the app's own loader (the one a run's EngineDeps
// use): tl-resnet-s as shipped in resources/models, and a MobileNet v1 0.25 (224 px, Keras' layer
// names, random weights: timings do not depend on weight values) placed in the data folder as a
// downloaded catalog model is.
import { catalogDir } from '../../electron/models/backbone-dirs.js';
import { writeIntegrity } from '../../electron/models/model-files.js';
import { saveLayersModelToDir } from '../../electron/training/backbones/model-io.js';
import { buildMobileNetV1 } from '../../electron/training/backbones/testing/mini-models.js';
import { TL_RESNET_ID } from '../../electron/training/backbones/tl-resnet.js';
import type { EngineDeps } from '../../electron/training/engine/deps.js';
import type { LoadedBackbone } from '../../electron/training/types.js';
import type { WorkerEnv } from '../../electron/worker-protocol/messages.js';

export const MOBILENET_ID = 'mobilenet-v1-0.25-224';
export type BenchArch = typeof TL_RESNET_ID | typeof MOBILENET_ID;
export const BENCH_ARCHS: readonly BenchArch[] = [TL_RESNET_ID, MOBILENET_ID];

/** Input [H, W, C] per bench backbone (the data is prepared at this size). */
export const INPUT_SHAPE: Record<BenchArch, [number, number, number]> = {
  [TL_RESNET_ID]: [28, 28, 1],
  [MOBILENET_ID]: [224, 224, 3],
};

async function placeMobileNet(dataDir: string): Promise<void> {
  const dir = catalogDir(dataDir, MOBILENET_ID);
  const model = buildMobileNetV1(0.25, 224, 1000, 1);
  try {
    await saveLayersModelToDir(model, dir, { preprocess: 'symmetric' });
  } finally {
    model.dispose();
  }
  await writeIntegrity(dir, 'bench');
}

export async function loadBenchBackbone(arch: BenchArch, env: WorkerEnv, deps: EngineDeps): Promise<LoadedBackbone> {
  if (arch === MOBILENET_ID) await placeMobileNet(env.dataDir);
  return deps.loadBackbone(arch, env);
}
