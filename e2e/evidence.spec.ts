// Issue 12: train a pair on a small shipped subset, then read its test accuracy with intervals in
// the Train view, History and Compare, and the paired verdict in Compare; a feature-extraction run
// repeated over two seeds reads as one row (mean ± sd) in History, each seed one click away.
import type { Page } from '@playwright/test';
import { expect, shotDir, test } from './fixtures.js';

/** The views scroll inside the app's own frame, so a tall window is what shows a whole view. */
async function shot(page: Page, name: string, height = 2600) {
  const before = page.viewportSize()!;
  await page.setViewportSize({ width: before.width, height });
  await page.screenshot({ path: `${shotDir}/${name}.png` });
  await page.setViewportSize(before);
}

// "90.2 % (89.3–91.0, n = 5,000)": every shipped fashion-target run is scored on its 5,000 test images.
const withInterval = /\d{1,3}\.\d % \(\d{1,3}\.\d–\d{1,3}\.\d, n = 5,000\)/;

test('a pair shows test accuracy with intervals and the paired verdict; repeated seeds aggregate', async ({ page, app }) => {
  // Four real training runs: on a busy two-core machine each can take minutes.
  test.setTimeout(1_200_000);
  await page.goto(app.url);
  await page.locator('[data-view="train"]').click();
  await page.getByTestId('dataset-select').selectOption('fashion-target');
  await page.getByTestId('subset-select').selectOption('100');
  await page.getByTestId('backbone-select').selectOption('tl-resnet-s');
  await page.getByTestId('strategy-select').getByRole('radio', { name: /Both/ }).check();
  // A tiny budget: two head epochs, then two fine-tuning epochs.
  await page.getByTestId('epochs-input').fill('2');
  await page.getByTestId('head-epochs-input').fill('2');
  await expect(page.getByTestId('unfrozen-bn')).toContainText('Inference mode');
  await expect(page.getByTestId('seeds-input')).toHaveValue('1');
  await shot(page, 'evidence-train-form');
  await page.getByTestId('start-training').click();

  const runs = page.getByTestId('live-run');
  await expect(runs).toHaveCount(2, { timeout: 30_000 });
  for (const i of [0, 1]) await expect(runs.nth(i)).toHaveAttribute('data-status', 'completed', { timeout: 500_000 });
  const cards = page.getByTestId('summary-card');
  await expect(cards).toHaveCount(2);
  for (const i of [0, 1]) {
    await expect(cards.nth(i).getByTestId('test-acc')).toHaveText(withInterval);
    await expect(cards.nth(i).getByTestId('stop-reason')).toContainText(/early stopping at epoch \d+|hit the cap of \d+ epochs/);
  }
  await cards.first().scrollIntoViewIfNeeded();
  await shot(page, 'evidence-train-results', 1400);

  // The same feature-extraction set-up repeated over two seeds.
  await page.getByTestId('strategy-select').getByRole('radio', { name: /Feature extraction/ }).check();
  await page.getByTestId('seeds-input').fill('2');
  await expect(page.getByTestId('start-training')).toHaveText('Start 2 runs');
  await page.getByTestId('start-training').click();
  await expect(runs).toHaveCount(4, { timeout: 30_000 });
  for (const i of [0, 1]) await expect(runs.nth(i)).toHaveAttribute('data-status', 'completed', { timeout: 500_000 });

  await page.locator('[data-view="history"]').click();
  const group = page.getByTestId('seed-group');
  await expect(group).toHaveCount(1);
  await expect(group.getByTestId('group-test-acc')).toHaveText(/\d{1,3}\.\d ± \d{1,3}\.\d % mean ± sd, 2 seeds/);
  await expect(page.getByTestId('run-row')).toHaveCount(2);
  for (const cell of await page.getByTestId('row-test-acc').all()) await expect(cell).toHaveText(withInterval);
  await group.getByTestId('seed-group-toggle').click();
  await expect(page.getByTestId('run-row')).toHaveCount(4);
  await page.getByTestId('sort-testAcc').click();
  await expect(page.getByTestId('history-sort')).toHaveValue('testAcc:desc');
  await shot(page, 'evidence-history', 1200);

  await page.getByTestId('compare-pair').first().click();
  const testRow = page.getByTestId('test-row');
  await expect(testRow.getByRole('cell')).toHaveCount(2);
  for (const cell of await testRow.getByRole('cell').all()) await expect(cell).toHaveText(withInterval);
  const verdict = page.getByTestId('verdict');
  await expect(verdict).toHaveCount(1);
  await expect(verdict).toHaveText(/(is better than .* by \d+\.\d points on 5,000 test images|^No clear difference on these 5,000 test images).*95 % CI .*a difference this large by chance: p [=<] /);
  await expect(page.getByTestId('stop-row')).toContainText(/early stopping at epoch|hit the cap/);
  await expect(page.getByTestId('chart-note')).toContainText('unfroze its top blocks');
  await shot(page, 'evidence-compare', 3200);
});
