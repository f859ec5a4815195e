// The window GPU rung in browser mode, on this machine's Chromium with its software GPU
// (SwiftShader: WebGL without a GPU, slower than a real one but faster than the cpu backend). The
// teacher's tab opts in; a pair trains there and again on the wasm rung with the same seed, data and
// config (results within the stated tolerance); the curves arrive live; a cancel stops within one
// batch; a simulated GPU context loss and a closed tab each fail their run with the reason while the
// queue goes on.
import type { Page, Worker } from '@playwright/test';
import { chromiumPath } from './chromium-path.js';
import { expect, shotDir, test } from './fixtures.js';
import { pageCall as call } from './page-call.js';

// WebGL needs the GPU process: the default config's --disable-gpu is left out, SwiftShader allowed.
// A worker script served by a Playwright route (below) loses its address space, and Chromium's local
// network checks would then refuse its socket to this loopback server: they are off for this test.
test.use({
  launchOptions: {
    executablePath: chromiumPath(),
    args: ['--no-sandbox', '--enable-unsafe-swiftshader', '--use-angle=swiftshader', '--disable-features=LocalNetworkAccessChecks', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  },
});

// SwiftShader runs a forward pass tens of times slower than wasm: the runs here train on the small
// resources (the shipped digits cut to 30 images per class and 10 per class of its fixed test pool).
test.use({ smallResources: true });

/**
 * Same seed, data and config on two float32 backends: only the order of float additions differs
 * (GPU shaders vs wasm SIMD), which moves a borderline test image or two at most. 100 fixed test
 * images: 0.03 is 3 images; a different seed or a wrong gradient moves far more than that.
 */
const ACCURACY_TOLERANCE = 0.03;

// Records every WebGL context the worker makes, so the test can lose one as a driver would. Only
// the test's copy of the script is changed (Playwright route); the app ships no such hook.
const RECORD_CONTEXTS = `(() => {
  const seen = (self.__glContexts = []);
  const original = OffscreenCanvas.prototype.getContext;
  OffscreenCanvas.prototype.getContext = function (type, ...rest) {
    const ctx = original.call(this, type, ...rest);
    if (ctx && String(type).startsWith('webgl')) seen.push(ctx);
    return ctx;
  };
})();\n`;


/** Every contract event the page's app socket receives, in order. */
function recordEvents(page: Page): Array<{ event: string; payload: any }> {
  const events: Array<{ event: string; payload: any }> = [];
  page.on('websocket', (ws) => {
    // The app's own socket only: a spec call's socket gets the same broadcasts while it is open, and
    // counting those would count an epoch twice whenever it lands during a call.
    if (!ws.url().includes('/ws') || ws.url().includes('via=spec')) return;
    ws.on('framereceived', ({ payload }) => {
      try {
        const msg = JSON.parse(String(payload));
        if (typeof msg.event === 'string') events.push(msg);
      } catch { /* binary frames are not the app socket's */ }
    });
  });
  return events;
}

const config = (backend: string, over: Record<string, unknown> = {}) => ({
  strategy: 'both', backboneId: 'tl-resnet-s', dataset: { id: 'digits', perClass: 12 },
  epochs: 2, batchSize: 16, learningRate: 1e-4, optimizer: 'adam', validationSplit: 0.2, seed: 11,
  // The head first (cheap, on cached embeddings), then one block tuned with its BatchNorm in inference
  // mode: a pair that learns at this size, so the comparison compares trained models.
  unfreezeBlocks: 1, twoPhase: true, headEpochs: 15, headLearningRate: 1e-3,
  trainFrozenBatchNorm: false, unfrozenBatchNorm: 'inference', augment: false,
  earlyStopping: { enabled: false, patience: 3 }, backend, ...over,
});

async function settled(page: Page, token: string, runId: string, timeout = 600_000) {
  await expect.poll(async () => (await call(page, token, 'runs.get', { id: runId })).status, { timeout, intervals: [1000, 2000, 5000] })
    .toMatch(/^(completed|failed|cancelled)$/);
  return call(page, token, 'runs.get', { id: runId });
}

/** Turns the device panel's switch on and waits for the tab's worker to be connected. */
async function optIn(page: Page): Promise<Worker> {
  await page.locator('[data-view="train"]').click();
  const toggle = page.getByTestId('tab-gpu-toggle');
  await expect(toggle).toBeVisible({ timeout: 60_000 });
  const worker = page.waitForEvent('worker', (w) => w.url().includes('/window-worker/'));
  await toggle.check();
  await expect(page.getByTestId('tab-gpu-status')).toContainText('This tab trains runs', { timeout: 60_000 });
  return worker;
}

test('a pair on the window rung (SwiftShader WebGL) matches wasm; live curves; cancel; context loss; closed tab', async ({ page, context, app }) => {
  test.setTimeout(1_800_000);
  await context.route('**/window-worker/window-worker.js', async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, body: RECORD_CONTEXTS + (await response.text()) });
  });
  const events = recordEvents(page);
  await page.goto(app.url);
  const worker = await optIn(page);

  // The ladder names the window rung with the GPU's name. SwiftShader is a software renderer, slower
  // than wasm, so 'auto' stays on wasm here: the runs below ask for window-gpu by name.
  const panel = page.getByTestId('device-panel');
  await expect(panel.locator('li[data-rung="window-gpu"]')).toContainText(/SwiftShader/, { timeout: 60_000 });
  await expect(page.getByTestId('active-rung')).toHaveText(/WebAssembly/);
  await expect(page.getByTestId('tab-gpu-status')).toContainText('software renderer');
  await panel.screenshot({ path: `${shotDir}/window-gpu-device-panel.png` });

  // A pair on the window rung, then the same pair on wasm (the worker process).
  const onWindow = await call(page, app.token, 'training.start', { config: config('window-gpu'), name: 'window pair' });
  const onWasm = await call(page, app.token, 'training.start', { config: config('wasm'), name: 'wasm pair' });
  const windowRuns = await Promise.all(onWindow.runIds.map((id: string) => settled(page, app.token, id)));
  const wasmRuns = await Promise.all(onWasm.runIds.map((id: string) => settled(page, app.token, id)));
  for (const r of windowRuns) {
    expect(r.status, r.error ?? '').toBe('completed');
    expect(r.rung).toBe('window-gpu');
    expect(r.result.device).toMatch(/^WebGL · .*SwiftShader/);
  }
  for (const r of wasmRuns) expect(r.status, r.error ?? '').toBe('completed');
  const byStrategy = (runs: any[], s: string) => runs.find((r) => r.strategy === s);
  const measured: string[] = [];
  for (const s of ['feature-extraction', 'fine-tuning']) {
    const w = byStrategy(windowRuns, s).testAcc;
    const c = byStrategy(wasmRuns, s).testAcc;
    measured.push(`${s}: window ${w.toFixed(4)} wasm ${c.toFixed(4)} (|Δ| ${Math.abs(w - c).toFixed(4)}, n ${byStrategy(windowRuns, s).testN}), ${byStrategy(windowRuns, s).totalSeconds.toFixed(1)} s vs ${byStrategy(wasmRuns, s).totalSeconds.toFixed(1)} s`);
    expect(Math.abs(w - c), measured.at(-1)).toBeLessThanOrEqual(ACCURACY_TOLERANCE);
  }
  console.log(`window rung vs wasm: ${measured.join('; ')}`);

  // Curves live: every epoch of the window's fine-tuning run reached the page before its end.
  const ft = byStrategy(windowRuns, 'fine-tuning');
  const endAt = events.findIndex((e) => e.event === 'training.job' && e.payload.runId === ft.id && e.payload.status === 'completed');
  const epochsBefore = events.slice(0, endAt).filter((e) => e.event === 'training.epoch' && e.payload.runId === ft.id).length;
  expect(endAt).toBeGreaterThan(0);
  expect(epochsBefore).toBe(ft.epochsDone);
  // Both fine-tuning runs side by side: rung and device of each, and their scores.
  await page.locator('[data-view="history"]').click();
  await page.locator(`[data-testid="run-row"][data-run-id="${ft.id}"] input[type="checkbox"]`).check();
  await page.locator(`[data-testid="run-row"][data-run-id="${byStrategy(wasmRuns, 'fine-tuning').id}"] input[type="checkbox"]`).check();
  await page.getByTestId('compare-selected').click();
  await expect(page.getByTestId('diff-table')).toContainText('window-gpu');
  await expect(page.getByTestId('diff-table')).toContainText('SwiftShader');
  await page.getByTestId('diff-table').screenshot({ path: `${shotDir}/window-gpu-compare.png` });

  // Cancel within one batch: a long fine-tuning run, cancelled once it is training its batches.
  await page.locator('[data-view="train"]').click();
  const long = await call(page, app.token, 'training.start', { config: config('window-gpu', { strategy: 'fine-tuning', epochs: 50, headEpochs: 0, twoPhase: false, batchSize: 32 }) });
  const longId = long.runIds[0];
  const step = (p: any) => (p.epoch - 1) * p.batches + p.batch;
  const tuning = () => events.filter((e) => e.event === 'training.progress' && e.payload.runId === longId && e.payload.phase === 'fine-tuning' && e.payload.batch > 0);
  await expect.poll(() => tuning().length, { timeout: 300_000 }).toBeGreaterThanOrEqual(3);
  await page.locator(`[data-testid="live-run"][data-run-id="${longId}"]`).screenshot({ path: `${shotDir}/window-gpu-live.png` });
  const seenAtCancel = Math.max(...tuning().map((e) => step(e.payload)));
  await call(page, app.token, 'training.cancel', { runId: longId });
  const cancelled = await settled(page, app.token, longId, 120_000);
  expect(cancelled.status).toBe('cancelled');
  const after = Math.max(...tuning().map((e) => step(e.payload))) - seenAtCancel;
  console.log(`cancel: ${after} batch(es) reported after the cancel was sent`);
  // The newest progress seen here can trail the worker by a batch (progress is throttled and may be
  // in transit), and the batch under way when the cancel lands finishes: at most two more; a cancel
  // that were ignored would report hundreds (50 epochs).
  expect(after).toBeLessThanOrEqual(2);

  // A GPU context loss mid-run: the run fails with the reason, the next run still trains (on wasm).
  const lost = await call(page, app.token, 'training.start', { config: config('window-gpu', { strategy: 'fine-tuning', epochs: 50, headEpochs: 0, twoPhase: false }) });
  const next = await call(page, app.token, 'training.start', { config: config('wasm', { strategy: 'feature-extraction', epochs: 2 }) });
  await expect.poll(() => events.some((e) => e.event === 'training.progress' && e.payload.runId === lost.runIds[0] && e.payload.phase === 'fine-tuning'), { timeout: 300_000 }).toBe(true);
  expect(await worker.evaluate(() => {
    const gl = (self as unknown as { __glContexts: WebGL2RenderingContext[] }).__glContexts.at(-1);
    const ext = gl?.getExtension('WEBGL_lose_context');
    ext?.loseContext();
    return !!ext;
  })).toBe(true);
  const lostRun = await settled(page, app.token, lost.runIds[0], 120_000);
  expect(lostRun.status).toBe('failed');
  expect(lostRun.error).toMatch(/GPU context was lost/);
  expect((await settled(page, app.token, next.runIds[0])).status).toBe('completed');
  await expect(page.getByTestId('tab-gpu-status')).toContainText('The last connection ended');
  await page.locator(`[data-testid="live-run"][data-run-id="${lost.runIds[0]}"]`).screenshot({ path: `${shotDir}/window-gpu-context-lost.png` });
  await page.getByTestId('device-panel').screenshot({ path: `${shotDir}/window-gpu-after-loss.png` });

  // A tab closed mid-run: a second tab opts in (after this one gives up its lost GPU), trains, and is closed.
  await page.getByTestId('tab-gpu-toggle').uncheck();
  const tab = await context.newPage();
  await tab.goto(app.url);
  await optIn(tab);
  const orphan = await call(page, app.token, 'training.start', { config: config('window-gpu', { strategy: 'fine-tuning', epochs: 50, headEpochs: 0, twoPhase: false }) });
  const after2 = await call(page, app.token, 'training.start', { config: config('wasm', { strategy: 'feature-extraction', epochs: 2 }) });
  await expect.poll(() => events.some((e) => e.event === 'training.progress' && e.payload.runId === orphan.runIds[0] && e.payload.phase === 'fine-tuning'), { timeout: 300_000 }).toBe(true);
  await tab.close();
  const orphaned = await settled(page, app.token, orphan.runIds[0], 120_000);
  expect(orphaned.status).toBe('failed');
  expect(orphaned.error).toMatch(/tab training on this computer's GPU (was closed|.*lost)/);
  expect((await settled(page, app.token, after2.runIds[0])).status).toBe('completed');
  // With no tab connected, a run that asks for the window fails at once with what to do.
  const none = await call(page, app.token, 'training.start', { config: config('window-gpu', { strategy: 'feature-extraction' }) });
  const refused = await settled(page, app.token, none.runIds[0], 60_000);
  expect(refused.status).toBe('failed');
  expect(refused.error).toMatch(/No window is training on this computer's GPU/);
  await page.locator(`[data-testid="live-run"][data-run-id="${orphan.runIds[0]}"]`).screenshot({ path: `${shotDir}/window-gpu-tab-closed.png` });
  await page.locator(`[data-testid="live-run"][data-run-id="${none.runIds[0]}"]`).screenshot({ path: `${shotDir}/window-gpu-no-window.png` });
});
