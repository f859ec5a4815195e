// Issue 5: bring your own images, train with live curves, cancel a run mid-way, export the model.
import { makeImageFolder } from './image-folder.js';
import { expect, shotDir, test } from './fixtures.js';

test('add a folder, train feature extraction live, cancel a second run, export the model', async ({ page, app }) => {
  // Two real training runs: on a busy two-core machine each can take minutes.
  test.setTimeout(900_000);
  const folder = await makeImageFolder();
  await page.goto(app.url);
  await page.locator('[data-view="train"]').click();
  await expect(page.getByTestId('train-form')).toBeVisible();
  await expect(page.getByTestId('device-panel')).toContainText('wasm');

  await page.getByTestId('folder-path-input').fill(folder);
  await page.getByTestId('add-folder').click();
  const report = page.getByTestId('skip-report');
  await expect(report).toContainText('broken.png');
  await expect(report).toContainText(/corrupt/i);
  await expect(report).toContainText('notes.txt');
  await expect(report).toContainText(/not an image/i);
  await expect(page.getByTestId('class-preview')).toContainText('horizontal-stripes');
  await expect(page.getByTestId('class-preview').locator('img').first()).toBeVisible();
  await page.screenshot({ path: `${shotDir}/train-folder-added.png`, fullPage: true });

  await expect(page.getByTestId('dataset-select')).toHaveValue(/^folder-/);
  await page.getByTestId('backbone-select').selectOption('tl-resnet-s');
  await page.getByTestId('strategy-select').getByRole('radio', { name: /Feature extraction/ }).check();
  await page.getByTestId('epochs-input').fill('40');
  await page.getByTestId('start-training').click();

  const first = page.getByTestId('live-run').first();
  await expect(first).toHaveAttribute('data-status', 'completed', { timeout: 400_000 });
  const firstId = await first.getAttribute('data-run-id');
  await expect(first.getByTestId('run-curves').locator('canvas').first()).toBeVisible();
  await expect(page.getByTestId('summary-card')).toBeVisible();
  await page.screenshot({ path: `${shotDir}/train-completed.png`, fullPage: true });

  await page.getByTestId('export-model').click();
  await expect(page.getByTestId('export-result')).toContainText('Written to', { timeout: 60_000 });
  await expect(page.getByTestId('export-path')).toContainText(app.dataDir);

  // A longer fine-tuning run, cancelled while it trains. Without early stopping: on a fast machine
  // the stripes are learnt in a few epochs, and the run would stop by itself before the click.
  await page.getByTestId('strategy-select').getByRole('radio', { name: /Fine-tuning/ }).check();
  const more = page.locator('details.options');
  if ((await more.getAttribute('open')) === null) await more.locator('summary').click();
  await page.getByTestId('early-stopping').uncheck();
  await page.getByTestId('epochs-input').fill('300');
  await page.getByTestId('start-training').click();
  // Found by id, not by status, so it stays found whatever state it reaches.
  const second = page.locator(`[data-testid="live-run"]:not([data-run-id="${firstId}"])`);
  await expect(second).toHaveCount(1, { timeout: 60_000 });
  const secondId = await second.getAttribute('data-run-id');
  await expect(second).toHaveAttribute('data-status', 'running', { timeout: 120_000 });
  await expect(second.getByTestId('progress-bar')).not.toHaveAttribute('aria-valuenow', '0', { timeout: 120_000 });
  await second.getByTestId('cancel-run').click();
  await expect(second).toHaveAttribute('data-status', 'cancelled', { timeout: 120_000 });
  await page.screenshot({ path: `${shotDir}/train-cancelled.png`, fullPage: true });

  await page.locator('[data-view="history"]').click();
  await expect(page.locator(`[data-testid="run-row"][data-run-id="${secondId}"]`)).toHaveAttribute('data-status', 'cancelled');
});
