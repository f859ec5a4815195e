// `npm start`: the desktop app where an Electron binary exists, browser mode otherwise.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let electronPath = null;
try {
  const candidate = require('electron'); // the package exports the binary's path
  if (typeof candidate === 'string' && existsSync(candidate)) electronPath = candidate;
} catch {
  electronPath = null;
}

const run = (cmd, args) => {
  const child = spawn(cmd, args, { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
};

if (electronPath && (process.platform !== 'linux' || process.env.DISPLAY || process.env.WAYLAND_DISPLAY)) {
  run(electronPath, ['.']);
} else {
  const why = electronPath ? 'no display found' : 'no Electron binary is installed';
  console.log(`Starting browser mode (${why}); open the URL below in your browser.`);
  run(process.execPath, ['dist/electron/server.cjs', ...process.argv.slice(2)]);
}
