// Issue 14: a small sweep (2 sizes × 2 strategies × 1 seed, quick budget) in the Flowchart view:
// cancelled mid-sweep, resumed to the end without redoing a finished run, the figure drawn, and the
// same sweep after a reload.
import type { Page } from '@playwright/test';
import { expect, shotDir, test } from './fixtures.js';

/** One contract call over the page's own socket (the token is the launch URL's). */
async function call(page: Page, token: string, method: string, params: unknown): Promise<unknown> {
  return page.evaluate(async ({ token, method, params }) => {
    const ws = new WebSocket(`ws://${location.host}/ws?token=${encodeURIComponent(token)}`);
    await new Promise((r, e) => ((ws.onopen = r), (ws.onerror = e)));
    const reply = await new Promise<{ ok: boolean; result?: unknown; error?: { message: string } }>((r) => {
      ws.onmessage = (m) => { const msg = JSON.parse(String(m.data)); if (msg.id === 1) r(msg); };
      ws.send(JSON.stringify({ id: 1, method, params }));
    });
    ws.close();
    if (!reply.ok) throw new Error(reply.error?.message);
    return reply.result;
  }, { token, method, params });
}

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
