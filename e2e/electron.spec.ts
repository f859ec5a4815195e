// The desktop app itself, where an Electron binary exists (it cannot be downloaded on every machine).
import { _electron as electron } from '@playwright/test';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect, test } from './fixtures.js';

const require = createRequire(import.meta.url);
function electronBinary(): string | null {
  try {
    const p = require('electron') as unknown as string;
    return typeof p === 'string' && existsSync(p) ? p : null;
  } catch {
    return null;
  }
}
const binary = electronBinary();
const display = process.platform !== 'linux' || !!process.env.DISPLAY;

test('desktop app opens with a sandboxed, isolated renderer', async () => {
  const reason = !binary ? 'no Electron binary installed (ELECTRON_SKIP_BINARY_DOWNLOAD), so the desktop app cannot launch here' : 'no display (set DISPLAY, e.g. under xvfb-run)';
  if (!binary || !display) console.log(`[skipped] electron.spec: ${reason}`);
  test.skip(!binary || !display, reason);
  const app = await electron.launch({ args: ['.'], executablePath: binary! });
  const win = await app.firstWindow();
  await expect(win.getByText('Transfer Lab').first()).toBeVisible();
  expect(await win.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
  expect(await win.evaluate(() => typeof (window as { transferLab?: unknown }).transferLab)).toBe('object');
  await app.close();
});
