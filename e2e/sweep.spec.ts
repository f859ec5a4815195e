// A small sweep (2 sizes × 2 strategies × 1 seed, quick budget) in the Flowchart view: cancelled
// mid-sweep, resumed to the end without redoing a finished run, the figure drawn, and the same sweep
// after a reload. And a sweep on the student's folder: one test pool held out for all its runs, and
// a folder too small for it refused with the number it needs.
import type { Page } from '@playwright/test';
import { expect, shotDir, test } from './fixtures.js';
import { makeImageFolder } from './image-folder.js';
import { pageCall as call } from './page-call.js';


const completedIds = async (page: Page) =>
  page.locator('[data-testid="sweep-run"][data-status="completed"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run-id')));

test('a sweep in the Flowchart view: cancel, resume without redoing runs, the figure, a reload', async ({ page, app }) => {
  test.setTimeout(900_000);
  await page.goto(app.url);
  // One run at a time, so the sweep is still going when it is cancelled after its first run.
  await call(page, app.token, 'settings.set', { trainingWorkers: 1 });
  await page.locator('[data-view="flowchart"]').click();
  const panel = page.getByTestId('sweep-panel');
  await expect(panel).toBeVisible();
  await page.getByTestId('sweep-dataset').selectOption('digits');
  await page.getByTestId('sweep-sizes').fill('4, 8');
  await page.getByTestId('sweep-seeds').fill('1');
  await page.getByTestId('sweep-quick').check();
  await expect(page.getByTestId('sweep-ladder-preview')).toHaveText('Runs at 4, 8 per class × 1 seed × both strategies = 4 runs.');
  await page.getByTestId('sweep-start').click();

  const progress = page.getByTestId('sweep-progress');
  await expect(progress).toHaveAttribute('data-total', '4');
  await expect(progress).toHaveAttribute('data-status', 'running');
  await expect(progress).toHaveAttribute('data-done', /^[1-3]$/, { timeout: 400_000 });
  await panel.screenshot({ path: `${shotDir}/sweep-running.png` });
  await page.getByTestId('sweep-cancel').click();
  await expect(progress).toHaveAttribute('data-status', 'cancelled', { timeout: 60_000 });
  const finishedBefore = await completedIds(page);
  expect(finishedBefore.length).toBeGreaterThanOrEqual(1);
  expect(finishedBefore.length).toBeLessThan(4);
  await expect(page.getByTestId('sweep-resume')).toBeVisible();
  await panel.screenshot({ path: `${shotDir}/sweep-cancelled.png` });

  await page.getByTestId('sweep-resume').click();
  await expect(progress).toHaveAttribute('data-status', 'completed', { timeout: 600_000 });
  await expect(progress).toHaveAttribute('data-done', '4');
  const finishedAfter = await completedIds(page);
  expect(finishedAfter).toHaveLength(4);
  // The runs that had finished before the cancel are the same runs: none was trained again.
  for (const id of finishedBefore) expect(finishedAfter).toContain(id);

  const result = page.getByTestId('sweep-result');
  await expect(result.getByTestId('sweep-chart')).toHaveCount(2);
  await expect(result.locator('canvas').first()).toBeVisible();
  await expect(page.getByTestId('sweep-verdict')).toHaveCount(2);
  await expect(page.getByTestId('sweep-crossing')).not.toBeEmpty();
  await result.scrollIntoViewIfNeeded();
  await result.screenshot({ path: `${shotDir}/sweep-figure.png` });

  const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('sweep-export-png').click()]);
  expect(png.suggestedFilename()).toMatch(/^sweep-digits-\d{4}-\d\d-\d\d\.png$/);

  await page.reload();
  await page.locator('[data-view="flowchart"]').click();
  await expect(page.getByTestId('sweep-progress')).toHaveAttribute('data-status', 'completed');
  expect(await completedIds(page)).toEqual(finishedAfter);
  await expect(page.getByTestId('sweep-chart')).toHaveCount(2);
  await page.getByTestId('sweep-panel').screenshot({ path: `${shotDir}/sweep-after-reload.png` });
});

test('a sweep on a folder holds out one test pool, and a folder too small for it is refused with the number it needs', async ({ page, app }) => {
  await page.goto(app.url);
  const big = await makeImageFolder(60);
  const small = await makeImageFolder(30);
  await call(page, app.token, 'datasets.addFolder', { path: big, scanId: 'scan-big', name: 'stripes' });
  await call(page, app.token, 'datasets.addFolder', { path: small, scanId: 'scan-small', name: 'few stripes' });
  await page.locator('[data-view="flowchart"]').click();
  const form = page.getByRole('form', { name: 'Start a sweep' });
  await form.getByTestId('sweep-dataset').selectOption({ label: 'stripes' });
  await form.getByTestId('sweep-sizes').fill('4, 8');
  await form.getByTestId('sweep-seeds').fill('1');
  await expect(form.getByTestId('sweep-ladder-preview')).toHaveText(
    'Runs at 4, 8 per class × 1 seed × both strategies = 4 runs. Every run is scored on the same 50 images per class, held out of your folder once and never trained on.',
  );
  await form.getByTestId('sweep-dataset').selectOption({ label: 'few stripes' });
  await expect(form.getByTestId('sweep-ladder-preview')).toHaveText('Fewer than two of these sizes fit: once 50 test images of every class are held out, the largest class has 0 images to train on.');
  await form.getByTestId('sweep-start').click();
  await expect(form.getByTestId('sweep-error')).toHaveText(
    '"few stripes" is too small for a sweep\'s test pool: every run of a sweep is scored on the same 100 or more held-out test images, 50 of each of its 2 classes, '
    + 'and every class also needs 2 to train and validate, so each class needs at least 52 images: "horizontal-stripes" has 30, "vertical-stripes" has 30.',
  );
  await form.screenshot({ path: `${shotDir}/sweep-folder-refused.png` });
});
