// Issue 4: train both strategies as a pair, compare them, drill into a confusion cell, and find the
// same history after a restart.
import { startAppServer } from './app-server.js';
import { expect, shotDir, test } from './fixtures.js';

test('train both, compare the pair, click a confusion cell, history survives a restart', async ({ page, app }) => {
  // Two real training runs: on a busy two-core machine each can take minutes.
  test.setTimeout(900_000);
  await page.goto(app.url);
  await page.locator('[data-view="train"]').click();
  await page.getByTestId('dataset-select').selectOption('fashion-target');
  await page.getByTestId('subset-select').selectOption('100');
  await page.getByTestId('backbone-select').selectOption('tl-resnet-s');
  await page.getByTestId('strategy-select').getByRole('radio', { name: /Both/ }).check();
  await page.getByTestId('epochs-input').fill('3');
  await expect(page.getByTestId('pair-budget')).toBeVisible();
  await page.screenshot({ path: `${shotDir}/train-both-form.png`, fullPage: true });
  await page.getByTestId('start-training').click();

  const runs = page.getByTestId('live-run');
  await expect(runs).toHaveCount(2, { timeout: 30_000 });
  await expect(runs.nth(0)).toHaveAttribute('data-status', 'completed', { timeout: 400_000 });
  await expect(runs.nth(1)).toHaveAttribute('data-status', 'completed', { timeout: 400_000 });

  await page.locator('[data-view="history"]').click();
  await expect(page.getByTestId('run-row')).toHaveCount(2);
  await page.getByTestId('compare-pair').first().click();

  const charts = page.getByTestId('compare-chart');
  await expect(charts.first()).toBeVisible();
  // Two runs per chart: the legend names both strategies.
  await expect(charts.first()).toContainText(/Feature extraction/);
  await expect(charts.first()).toContainText(/Fine-tuning/);
  const table = page.getByTestId('diff-table');
  await expect(table).toContainText(/best val/i);
  await expect(table).toContainText('wasm');

  const cell = page.locator('[data-testid="confusion-cell"][data-diagonal="false"]:not([data-count="0"])').first();
  await cell.locator('button').or(cell).first().click();
  const gallery = page.getByTestId('misclassified-gallery');
  await expect(gallery.locator('img').first()).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: `${shotDir}/compare.png`, fullPage: true });

  await app.stop();
  const again = await startAppServer(app.dataDir);
  try {
    await page.goto(again.url);
    await page.locator('[data-view="history"]').click();
    await expect(page.getByTestId('run-row')).toHaveCount(2);
    await expect(page.locator('[data-testid="run-row"][data-status="completed"]')).toHaveCount(2);
    await page.screenshot({ path: `${shotDir}/history.png`, fullPage: true });
  } finally {
    await again.stop();
  }
});
