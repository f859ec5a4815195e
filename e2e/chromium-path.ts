import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

/** TL_CHROMIUM, Playwright's own browser, or the system Chromium (see build/ensure-chromium.mjs). */
export function chromiumPath(): string | undefined {
  if (process.env.TL_CHROMIUM && existsSync(process.env.TL_CHROMIUM)) return process.env.TL_CHROMIUM;
  try {
    const own = chromium.executablePath();
    if (own && existsSync(own)) return own;
  } catch { /* not installed */ }
  return ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
}
