// `npm run serve`: browser mode. Serves the built renderer and the contract on 127.0.0.1 (unless
// --host says otherwise) and prints the URL with its per-launch token.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createAppServices } from '../services/app-services.js';
import { DatabaseOpenError } from '../services/store/database.js';
import { forkWorkerSpawner } from '../services/training/worker-host.js';
import { PortInUseError, startServer } from './http-server.js';
import { newToken } from './token.js';

// Two levels below the app root both as source (electron/server) and bundled (dist/electron).
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');

function usage(): never {
  console.log(`Usage: transfer-lab-serve [--host 127.0.0.1] [--port 5180] [--data-dir DIR] [--token TOKEN]
  --host      address to bind (default 127.0.0.1; 0.0.0.0 shares the app with a lab — the token still applies)
  --port      port (default 5180; 0 picks a free one)
  --data-dir  where the database, caches and exports live (default ~/.transfer-lab)`);
  process.exit(0);
}

async function main() {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: process.env.TL_PORT ?? '5180' },
      'data-dir': { type: 'string', default: process.env.TL_DATA_DIR ?? join(homedir(), '.transfer-lab') },
      token: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) usage();
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a number from 0 to 65535, not "${values.port}".`);

  const workerEntry = existsSync(join(here, 'worker.cjs')) ? join(here, 'worker.cjs') : join(repoRoot, 'electron/training/worker.ts');
  const staticDir = join(repoRoot, 'dist/renderer');
  if (!existsSync(join(staticDir, 'index.html'))) throw new Error('The renderer is not built yet: run `npm run build` first (or use `npm run serve`).');
  const version = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version as string;

  const services = createAppServices({
    dataDir: resolve(values['data-dir']!),
    resourcesDir: join(repoRoot, 'resources'),
    mode: 'browser',
    version,
    spawnWorker: forkWorkerSpawner(workerEntry),
    log: (m) => console.error(`[transfer-lab] ${m}`),
  });
  const server = await startServer({
    host: values.host!,
    port,
    token: values.token ?? process.env.TL_TOKEN ?? newToken(),
    staticDir,
    dispatch: services.dispatch,
    subscribe: services.subscribe,
    log: (m) => console.error(`[transfer-lab] ${m}`),
  });
  console.log(`Transfer Lab (browser mode) is running. Open:\n  ${server.url}`);
  console.log(`Data folder: ${resolve(values['data-dir']!)}`);

  const shutdown = async () => {
    await server.close();
    services.close();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((e) => {
  if (e instanceof DatabaseOpenError) console.error(`${e.message}\nTo use another data folder, start with --data-dir DIR.`);
  else console.error(e instanceof PortInUseError || e instanceof Error ? `Transfer Lab could not start: ${e.message}` : e);
  process.exit(1);
});
