// `npm run setup`: installs dependencies and starts the app. Where Electron's binary cannot be
// downloaded (offline or locked-down machines) it installs without it and the app starts in
// browser mode instead. `--no-start` only installs.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const install = existsSync('package-lock.json') ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'];
const run = (args, env = {}) => spawnSync(npm, args, { stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;

if (run(install) !== 0) {
  console.log('Installing without the Electron binary (it could not be downloaded); the app will run in browser mode.');
  if (run(install, { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }) !== 0) {
    console.error('Installing dependencies failed; see the npm output above.');
    process.exit(1);
  }
}
if (!process.argv.includes('--no-start')) process.exit(run(['start']));
