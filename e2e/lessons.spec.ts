// Issue 7: walk the first lesson with the keyboard, answer the flowchart by hand and from data, and
// land in Train with the recommendation's preset.
import { expect, shotDir, test } from './fixtures.js';

test('walk the first lesson with the keyboard', async ({ page, app }) => {
  await page.goto(app.url);
  const progress = page.getByTestId('lesson-progress');
  await expect(page.getByTestId('lesson-page')).toBeVisible();
  const total = Number(await progress.getAttribute('aria-valuemax'));
  expect(total).toBeGreaterThanOrEqual(5);
  for (let i = 1; i <= total; i++) {
    await expect(page.getByTestId('lesson-page')).toHaveAttribute('data-page', String(i - 1));
    await page.screenshot({ path: `${shotDir}/lesson1-page-${String(i).padStart(2, '0')}.png` });
    if (i < total) await page.keyboard.press(i % 2 ? 'ArrowRight' : 'Space');
  }
  await page.keyboard.press('Home');
  await expect(page.getByTestId('lesson-page')).toHaveAttribute('data-page', '0');
  await page.keyboard.press('End');
  await expect(page.getByTestId('lesson-page')).toHaveAttribute('data-page', String(total - 1));
  // The position is remembered.
  await page.reload();
  await expect(page.getByTestId('lesson-page')).toHaveAttribute('data-page', String(total - 1));
});

test('answer the flowchart by hand, then from data, and train the recommendation', async ({ page, app }) => {
  await page.goto(app.url);
  await page.locator('[data-view="flowchart"]').click();
  const fc = page.locator('main');
  await fc.getByTestId('fc-images').fill('500');
  await fc.getByTestId('fc-similarity').selectOption('very-similar');
  await fc.getByTestId('fc-compute').selectOption('limited');
  await expect(fc.getByTestId('fc-recommendation')).toHaveAttribute('data-recommendation', 'feature-extraction');
  await fc.getByTestId('fc-images').fill('20000');
  await fc.getByTestId('fc-similarity').selectOption('very-different');
  await fc.getByTestId('fc-compute').selectOption('ample');
  await expect(fc.getByTestId('fc-recommendation')).toHaveAttribute('data-recommendation', 'fine-tuning');
  await page.screenshot({ path: `${shotDir}/flowchart-by-hand.png`, fullPage: true });
  // The answers survive a reload.
  await page.reload();
  await page.locator('[data-view="flowchart"]').click();
  await expect(fc.getByTestId('fc-images')).toHaveValue('20000');
  await expect(fc.getByTestId('fc-recommendation')).toHaveAttribute('data-recommendation', 'fine-tuning');

  await fc.getByTestId('fc-analyze-dataset').selectOption('digits');
  await fc.getByTestId('fc-analyze').click();
  await expect(fc.getByTestId('fc-analysis')).toBeVisible({ timeout: 120_000 });
  // The analysis counts the images a run can train on: the pool, not the fixed test images.
  await expect(fc.getByTestId('fc-images')).toHaveValue('8000');
  const rec = await fc.getByTestId('fc-recommendation').getAttribute('data-recommendation');
  expect(rec === 'feature-extraction' || rec === 'fine-tuning').toBe(true);
  await page.screenshot({ path: `${shotDir}/flowchart-from-data.png`, fullPage: true });

  await fc.getByTestId('train-recommendation').click();
  await expect(page.getByTestId('train-form')).toBeVisible();
  await expect(page.getByTestId('preset-reason')).toBeVisible();
  await expect(page.getByTestId('dataset-select')).toHaveValue('digits');
  const label = rec === 'fine-tuning' ? /Fine-tuning/ : /Feature extraction/;
  await expect(page.getByTestId('strategy-select').getByRole('radio', { name: label })).toBeChecked();
  await page.screenshot({ path: `${shotDir}/train-preset.png`, fullPage: true });
});
