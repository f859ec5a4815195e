// The app frame: every view opens, the student name is stored in the real SQLite file and survives
// a server restart on the same data dir.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startAppServer } from './app-server.js';
import { expect, shotDir, test } from './fixtures.js';

const views = ['lesson', 'flowchart', 'train', 'history', 'compare'] as const;

test('visits every view and keeps the student name across a restart', async ({ page, app }) => {
  await page.goto(app.url);
  await expect(page.getByText('Transfer Lab').first()).toBeVisible();
  for (const v of views) {
    await page.locator(`[data-view="${v}"]`).click();
    await expect(page.locator(`[data-view="${v}"]`)).toHaveAttribute('aria-current', 'page');
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${shotDir}/view-${v}.png`, fullPage: true });
  }

  await page.getByTestId('student-name').click();
  await page.getByTestId('student-name-input').fill('Ada Lovelace');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('student-name')).toContainText('Ada Lovelace');
  expect(existsSync(join(app.dataDir, 'transfer-lab.sqlite'))).toBe(true);

  await app.stop();
  const again = await startAppServer(app.dataDir);
  try {
    await page.goto(again.url);
    await expect(page.getByTestId('student-name')).toContainText('Ada Lovelace');
  } finally {
    await again.stop();
  }
});

test('the page is refused without the token', async ({ page, app }) => {
  const res = await page.goto(app.origin + '/');
  expect(res?.status()).toBe(401);
  await expect(page.locator('body')).toContainText('Unauthorized');
});
