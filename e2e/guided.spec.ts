// Issue 7: the guided lesson, end to end, on a shipped data set with a tiny budget.
import { expect, shotDir, test } from './fixtures.js';

test('complete guided mode once', async ({ page, app }) => {
  // Two real training runs: on a busy two-core machine each can take minutes.
  test.setTimeout(900_000);
  await page.goto(app.url);
  await page.getByTestId('student-name').click();
  await page.getByTestId('student-name-input').fill('Grace');
  await page.getByRole('button', { name: 'Save' }).click();
  // Progress is per student: start only once the name is saved.
  await expect(page.getByTestId('student-name')).toContainText('Grace');

  await page.getByTestId('guided-start').click();
  const step = page.getByTestId('guided-step');
  await expect(step).toHaveAttribute('data-step', '0');
  // End turns pages only once the lesson is on screen.
  await expect(page.getByTestId('lesson-page')).toBeVisible();
  await page.keyboard.press('End');
  await expect(step).toHaveAttribute('data-step', '1');

  await page.locator('[data-view="flowchart"]').click();
  const fc = page.locator('main');
  await fc.getByTestId('fc-images').fill('500');
  await fc.getByTestId('fc-similarity').selectOption('very-similar');
  await fc.getByTestId('fc-compute').selectOption('limited');
  await page.getByRole('button', { name: /Go with/ }).click();
  await expect(step).toHaveAttribute('data-step', '2');

  for (const next of ['3', '4']) {
    await page.getByRole('button', { name: /^Train (Feature extraction|Fine-tuning|feature extraction|fine-tuning)/ }).first().click();
    await page.getByTestId('dataset-select').selectOption('fashion-target');
    await page.getByTestId('subset-select').selectOption('100');
    await page.getByTestId('epochs-input').fill('2');
    await page.getByTestId('start-training').click();
    await expect(step).toHaveAttribute('data-step', next, { timeout: 400_000 });
  }
  await page.getByRole('button', { name: 'Compare the pair' }).click();
  await expect(page.getByTestId('diff-table')).toBeVisible();
  await expect(step).toHaveAttribute('data-step', '5');
  // The pair is one size: the guide opens "Test the flowchart" on the pair's data set (its shipped sweep).
  await page.getByRole('button', { name: 'Test the flowchart' }).click();
  await expect(page.getByTestId('sweep-panel')).toBeInViewport();
  await expect(page.getByTestId('sweep-select')).toHaveValue('shipped:fashion-target');
  await expect(step).toHaveAttribute('data-step', '6');
  await page.getByTestId('reflection-input').fill('Yes: with 100 images per class the frozen features were nearly as good, and much faster.');
  await page.getByTestId('reflection-save').click();
  await expect(step).toContainText('Guided lesson complete');
  await page.screenshot({ path: `${shotDir}/guided-complete.png`, fullPage: true });

  // The reflection is saved with the runs.
  await page.locator('[data-view="history"]').click();
  await expect(page.getByTestId('run-row')).toHaveCount(2);
});
