// Finds a Chromium for the e2e suite: TL_CHROMIUM, Playwright's own, or Debian's /usr/bin/chromium,
// which is installed with apt when missing and we are allowed to (root on Debian/Ubuntu).
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

function found() {
  if (process.env.TL_CHROMIUM && existsSync(process.env.TL_CHROMIUM)) return process.env.TL_CHROMIUM;
  try {
    const own = chromium.executablePath();
    if (own && existsSync(own)) return own;
  } catch { /* Playwright's browsers are not installed */ }
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) if (existsSync(p)) return p;
  return null;
}

let path = found();
if (!path && process.platform === 'linux' && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
  console.log('No Chromium found: installing Debian\'s chromium package…');
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', { stdio: 'inherit' });
  path = found();
}
if (!path) {
  console.error('The e2e tests need Chromium. Install it with `sudo apt-get install chromium` (Debian/Ubuntu), or set TL_CHROMIUM to a Chrome/Chromium binary.');
  process.exit(1);
}
console.log(`e2e browser: ${path}`);
