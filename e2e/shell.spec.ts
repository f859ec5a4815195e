// The app frame: every view opens, the student name is stored in the real SQLite file and survives
// a server restart on the same data dir; how the page holds its access token.
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
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

test('the token leaves the address bar, a reload keeps working, and the cookie alone opens no socket', async ({ page, app }) => {
  await page.goto(app.url);
  await page.getByTestId('student-name').click();
  await page.getByTestId('student-name-input').fill('Grace Hopper');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('student-name')).toContainText('Grace Hopper');
  expect(page.url()).not.toContain(app.token);

  // Reloaded without ?token: the cookie serves the page, the tab's stored token opens the socket.
  await page.reload();
  await expect(page.getByTestId('student-name')).toContainText('Grace Hopper');

  const cookies = await page.context().cookies(app.origin);
  expect(cookies.length).toBeGreaterThan(0);
  for (const c of cookies) expect(c.value).not.toContain(app.token);
  // The browser sends the cookie with this socket; without the token the server refuses it.
  const outcome = await page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(`ws://${location.host}/ws`);
        ws.onopen = () => resolve('opened');
        ws.onclose = () => resolve('refused');
      }),
  );
  expect(outcome).toBe('refused');
});

test('another server on this host receives the cookie but cannot open the app with it', async ({ page, app }) => {
  const seen: string[] = [];
  const other = createServer((req, res) => {
    seen.push(req.headers.cookie ?? '');
    res.end('another local page');
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', () => resolve()));
  try {
    await page.goto(app.url);
    await expect(page.getByTestId('student-name')).toBeVisible();
    await page.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
    const cookie = seen.at(-1)!;
    expect(cookie).toContain('tl_assets_'); // cookies are not scoped by port
    expect(cookie).not.toContain(app.token);
    const replay = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`${app.origin.replace('http', 'ws')}/ws`, { headers: { cookie } });
      ws.on('open', () => resolve('opened'));
      ws.on('unexpected-response', (_req, res) => resolve(`HTTP ${res.statusCode}`));
      ws.on('error', () => resolve('error'));
    });
    expect(replay).toBe('HTTP 401');
  } finally {
    other.close();
  }
});
