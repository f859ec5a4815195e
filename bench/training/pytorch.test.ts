// The PyTorch reference script on a few images: each workload answers with the fields the table
// reads. Needs a Python with torch (Debian: apt-get install python3-torch); skipped, saying so, without.
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cutBase } from '../../electron/training/backbones/recipes.js';
import { buildMobileNetV1 } from '../../electron/training/backbones/testing/mini-models.js';
import { buildTlResnet, tlResnetBlocks } from '../../electron/training/backbones/tl-resnet.js';
import { findTorchPython, referenceScript, runTorchWorkload, torchArgs } from './pytorch.js';
import type { WorkloadSpec } from './spec.js';

const tiny = (over: Partial<WorkloadSpec>): WorkloadSpec => ({
  arch: 'tl-resnet-s', kind: 'forward', unfreeze: 2, datasetId: 'fashion-target', sizes: { train: 16, val: 8, test: 8 },
  batch: 8, headEpochs: 2, ftEpochs: 2, repeats: 2, backend: 'wasm', ...over,
});

const found = await findTorchPython();
const python = 'python' in found ? found.python : null;
if (!python) console.warn(`bench/training/pytorch.test.ts: reference runs skipped — ${'reason' in found ? found.reason : ''}`);

describe('PyTorch reference', () => {
  it('passes the workload, sizes and thread count to the script', () => {
    const args = torchArgs(tiny({ kind: 'fine-tuning', unfreeze: 'all' }), 5, 0);
    const at = (flag: string) => args[args.indexOf(flag) + 1];
    expect([at('--arch'), at('--workload'), at('--train'), at('--val'), at('--test'), at('--classes'), at('--unfreeze'), at('--ft-epochs'), at('--threads')])
      .toEqual(['tl-resnet-s', 'fine-tuning', '16', '8', '8', '5', 'all', '2', '0']);
    expect(at('--data')).toMatch(/resources[/\\]datasets[/\\]fashion-target$/);
  });

  it.skipIf(!python)('builds the engine\'s networks: same parameter count, blocks and feature size', async () => {
    await tf.setBackend('cpu');
    const tl = buildTlResnet({ seed: 1 });
    const mobile = cutBase(buildMobileNetV1(0.25, 224, 1000, 1));
    const engine = {
      'tl-resnet-s': { params: tl.countParams(), blocks: tlResnetBlocks(tl).length, features: tl.outputs[0].shape[1] },
      'mobilenet-v1-0.25-224': { params: mobile.model.countParams(), blocks: mobile.blocks.length, features: mobile.featureSize },
    };
    for (const [arch, want] of Object.entries(engine)) {
      expect(JSON.parse(execFileSync(python!, [referenceScript, '--describe', arch], { encoding: 'utf8' })), arch).toEqual(want);
    }
    tl.dispose();
    mobile.model.dispose();
  }, 120_000);

  it.skipIf(!python)('times feature extraction and fine-tuning of both networks, with peak RSS', async () => {
    const fe = await runTorchWorkload(python!, tiny({ kind: 'feature-extraction' }), 5, 1);
    expect(fe).toMatchObject({ threads: 1, main: { wallS: expect.any(Number) }, forwardAll: { cpuS: expect.any(Number) } });
    expect(fe.maxRssBytes).toBeGreaterThan(1 << 20);
    const ft = await runTorchWorkload(python!, tiny({ kind: 'fine-tuning', unfreeze: 'all' }), 5, 0);
    expect(ft.epochs).toHaveLength(2);
    expect(ft.main.wallS).toBe(Math.min(...ft.epochs!.map((e) => e.wallS)));
    expect(ft.threads).toBeGreaterThanOrEqual(1);
    const mobile = await runTorchWorkload(python!, tiny({ arch: 'mobilenet-v1-0.25-224', kind: 'fine-tuning', sizes: { train: 4, val: 2, test: 2 }, batch: 2 }), 5, 1);
    expect(mobile.epochs).toHaveLength(2);
  }, 120_000);
});
