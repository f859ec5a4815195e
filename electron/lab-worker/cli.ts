// `npm run worker -- --redis redis://host:port`: a lab worker. Trains the lab server's jobs (shipped
// data sets and backbones) on this machine, one training process per core unless told otherwise,
// and sends everything back through Redis; the server records it.
import { existsSync, readFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BackendChoice } from '../contract/index.js';
import { poolSize } from '../services/training/pool-size.js';
import { RefusedError, startLabWorker } from '../services/training/remote-worker.js';
import { forkWorkerSpawner } from '../services/training/worker-host.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');

function usage(): never {
  console.log(`Usage: npm run worker -- --redis redis://host:port [--concurrency N] [--backend auto] [--data-dir DIR] [--name NAME]
  --redis        the Redis the lab server was started with (npm run serve -- --redis …)
  --concurrency  runs trained at once (default: one per physical core, fewer where memory is short)
  --backend      auto | tfjs-node-gpu | tfjs-node | wasm | cpu (default auto: the best this machine has)
  --data-dir     caches of this worker (default ~/.transfer-lab-worker); results go to the server
  --name         how the queue panel names this machine (default: its host name)`);
  process.exit(0);
}

async function main() {
  const { values } = parseArgs({
    options: {
      redis: { type: 'string', default: process.env.TL_REDIS },
      concurrency: { type: 'string' },
      backend: { type: 'string', default: process.env.TL_BACKEND ?? 'auto' },
      'data-dir': { type: 'string', default: join(homedir(), '.transfer-lab-worker') },
      name: { type: 'string', default: hostname() },
      'lock-seconds': { type: 'string', default: '30' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) usage();
  if (!values.redis) throw new Error('Say which Redis to use: npm run worker -- --redis redis://host:port');
  const backend = BackendChoice.safeParse(values.backend);
  if (!backend.success) throw new Error(`--backend must be one of ${BackendChoice.options.join(', ')}, not "${values.backend}".`);
  const concurrency = values.concurrency ? Number(values.concurrency) : poolSize('auto');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new Error(`--concurrency must be a number from 1 to 64, not "${values.concurrency}".`);
  const lockSeconds = Number(values['lock-seconds']);

  const bundled = join(here, 'worker.cjs');
  const entry = existsSync(bundled) ? bundled : join(repoRoot, 'electron/training/worker.ts');
  // TL_APP_VERSION stands in for another installed version (the version check's tests use it).
  const version = process.env.TL_APP_VERSION ?? (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version as string);
  const dataDir = resolve(values['data-dir']!);
  const log = (m: string) => console.error(`[lab worker] ${m}`);

  const worker = await startLabWorker({
    redisUrl: values.redis,
    version,
    machine: values.name!,
    concurrency,
    spawnWorker: forkWorkerSpawner(entry),
    workerEnv: () => ({ resourcesDir: join(repoRoot, 'resources'), dataDir, backend: backend.data }),
    lockMs: Number.isFinite(lockSeconds) && lockSeconds > 0 ? lockSeconds * 1000 : 30_000,
    log,
  });
  console.log(`Transfer Lab ${version} lab worker on ${values.name}: training up to ${concurrency} run${concurrency === 1 ? '' : 's'} at once for ${values.redis}.`);

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await worker.close();
    process.exit(code);
  };
  void worker.refused.then((reason) => {
    console.error(`Transfer Lab lab worker: ${reason}`);
    void stop(1);
  });
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
}

main().catch((e) => {
  console.error(e instanceof RefusedError || e instanceof Error ? `Transfer Lab lab worker could not start: ${e.message}` : e);
  process.exit(1);
});
