// The window GPU rung next to the wasm rung, from one run: the same small fine-tuning workload
// through the whole app in browser mode — once in a headless Chromium tab that opted in to train on
// its GPU (tfjs WebGL/WebGPU in a Web Worker; SwiftShader where the machine has no GPU, the real GPU
// where Chromium finds one), once on the wasm rung in the server's worker process — and the ratio
// of their training time per epoch. Needs `npm run build` (the server and the window worker's
// bundle) and a Chromium (e2e/chromium-path.ts). Env: TL_BENCH_QUICK=1 for a smoke run;
// BENCH_WINDOW_IMAGES (images per class, default 40), BENCH_WINDOW_EPOCHS (default 3).
import { existsSync } from 'node:fs';
import { chromium, type Page } from 'playwright-core';
import { startAppServer } from '../../e2e/app-server.js';
import { chromiumPath } from '../../e2e/chromium-path.js';
import type { BenchSection } from '../report.js';
import { pageCall as call } from '../../e2e/page-call.js';

const quick = process.env.TL_BENCH_QUICK === '1';
const perClass = Number(process.env.BENCH_WINDOW_IMAGES ?? (quick ? 8 : 40));
const epochs = Number(process.env.BENCH_WINDOW_EPOCHS ?? (quick ? 2 : 3));
const TITLE = 'window GPU rung (headless Chromium) vs wasm rung (Node), fine-tuning tl-resnet-s';

const workload = (backend: string) => ({
  strategy: 'fine-tuning', backboneId: 'tl-resnet-s', dataset: { id: 'digits', perClass },
  epochs, batchSize: 32, learningRate: 1e-4, optimizer: 'adam', validationSplit: 0.2, seed: 5,
  unfreezeBlocks: 2, twoPhase: false, headEpochs: 0, headLearningRate: 1e-3,
  trainFrozenBatchNorm: false, unfrozenBatchNorm: 'batch-statistics', augment: false,
  earlyStopping: { enabled: false, patience: 3 }, backend,
});


/** Trains the workload on one backend and answers its run once it has ended. */
async function train(page: Page, token: string, backend: string): Promise<any> {
  const { runIds } = await call(page, token, 'training.start', { config: workload(backend), name: `bench ${backend}` });
  for (;;) {
    const run = await call(page, token, 'runs.get', { id: runIds[0] });
    if (['completed', 'failed', 'cancelled'].includes(run.status)) return run;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Mean seconds of the epochs after the first (the first also compiles shaders and warms caches). */
function perEpoch(run: any): { steady: number; first: number; imagesPerSec: number } {
  const e = run.epochs as Array<{ seconds: number; imagesPerSec: number }>;
  const later = e.length > 1 ? e.slice(1) : e;
  return {
    first: e[0]?.seconds ?? NaN,
    steady: later.reduce((s, x) => s + x.seconds, 0) / later.length,
    imagesPerSec: later.reduce((s, x) => s + x.imagesPerSec, 0) / later.length,
  };
}

export async function run(): Promise<BenchSection> {
  const missing = ['dist/electron/server.cjs', 'dist/window-worker/window-worker.js', 'dist/renderer/index.html'].filter((f) => !existsSync(f));
  if (missing.length) return { title: TITLE, rows: [], notes: [`skipped: ${missing.join(', ')} not built (run \`npm run build\` first)`] };
  const executablePath = chromiumPath();
  if (!executablePath) return { title: TITLE, rows: [], notes: ['skipped: no Chromium found (set TL_CHROMIUM, or see build/ensure-chromium.mjs)'] };

  const app = await startAppServer();
  // No --disable-gpu: Chromium uses the machine's GPU, or SwiftShader where it has none.
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist', '--no-first-run', '--disable-background-networking'] });
  try {
    const page = await browser.newPage();
    await page.goto(app.url);
    await page.locator('[data-view="train"]').click();
    const toggle = page.getByTestId('tab-gpu-toggle');
    await toggle.waitFor({ timeout: 60_000 });
    await toggle.check();
    await page.getByTestId('tab-gpu-status').filter({ hasText: 'This tab trains runs' }).waitFor({ timeout: 60_000 });

    const window = await train(page, app.token, 'window-gpu');
    if (window.status !== 'completed') return { title: TITLE, rows: [], notes: [`failed: the window run ended ${window.status}: ${window.error}`] };
    const wasm = await train(page, app.token, 'wasm');
    if (wasm.status !== 'completed') return { title: TITLE, rows: [], notes: [`failed: the wasm run ended ${wasm.status}: ${wasm.error}`] };
    const w = perEpoch(window);
    const c = perEpoch(wasm);
    const trainImages = Math.round(window.epochs[0].imagesPerSec * window.epochs[0].seconds);
    return {
      title: TITLE,
      rows: [{
        workload: `fine-tune the top 2 blocks, ${trainImages} images × ${epochs} epochs, batch 32`,
        'wasm s/epoch': c.steady,
        'window s/epoch': w.steady,
        'wasm images/s': c.imagesPerSec,
        'window images/s': w.imagesPerSec,
        'window ÷ wasm speed': c.steady / w.steady,
        'window 1st epoch s': w.first,
      }],
      notes: [
        `window device: ${window.result.device}; wasm device: ${wasm.result.device}`,
        `test accuracy: window ${window.testAcc?.toFixed(4)} vs wasm ${wasm.testAcc?.toFixed(4)} (same seed, data and config)`,
        's/epoch is the mean of the epochs after the first (the first also compiles the GPU programs); both runs share this machine one after the other',
      ],
    };
  } finally {
    await browser.close();
    await app.stop();
  }
}
