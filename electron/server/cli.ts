// `npm run serve`: browser mode. Serves the built renderer and the contract on 127.0.0.1 (unless
// --host says otherwise) and prints two links: the teacher's, with the per-launch token, and the
// class link students open (each then types their name once). With --redis, training jobs go to
// lab workers (`npm run worker`) through BullMQ.
import { existsSync, readFileSync } from 'node:fs';
import { homedir, networkInterfaces } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createAppServices } from '../services/app-services.js';
import { studentUploadDir, teacherUploadDir } from '../services/roles/uploads.js';
import { DatabaseOpenError } from '../services/store/database.js';
import { RemoteRunner, trainsRemotely } from '../services/training/remote-runner.js';
import { TabWindowSlot } from '../services/training/window-source.js';
import { forkWorkerSpawner } from '../services/training/worker-host.js';
import { PortInUseError, startServer } from './http-server.js';
import { newToken } from './token.js';

// Two levels below the app root both as source (electron/server) and bundled (dist/electron).
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');

function usage(): never {
  console.log(`Usage: transfer-lab-serve [--host 127.0.0.1] [--port 5180] [--data-dir DIR] [--token TOKEN] [--class-token TOKEN] [--redis URL]
  --host         address to bind (default 127.0.0.1; 0.0.0.0 shares the app with a lab — the links still apply)
  --port         port (default 5180; 0 picks a free one)
  --data-dir     where the database, caches and exports live (default ~/.transfer-lab)
  --resources    the folder of shipped data sets, backbones, lessons and sweeps (default: the app's own)
  --class-token  keep the class link the same across restarts (default: a new one each launch)
  --redis        redis://host:port — put training jobs on a BullMQ queue for lab workers (npm run worker)`);
  process.exit(0);
}

async function main() {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: process.env.TL_PORT ?? '5180' },
      'data-dir': { type: 'string', default: process.env.TL_DATA_DIR ?? join(homedir(), '.transfer-lab') },
      resources: { type: 'string', default: join(repoRoot, 'resources') },
      token: { type: 'string' },
      'class-token': { type: 'string' },
      redis: { type: 'string' },
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

  const dataDir = resolve(values['data-dir']!);
  const resourcesDir = resolve(values.resources!);
  const missing = ['datasets', 'models', 'lessons'].filter((d) => !existsSync(join(resourcesDir, d)));
  if (missing.length > 0) throw new Error(`--resources ${resourcesDir} has no ${missing.join(', ')} folder: it must hold what the app's own resources folder holds.`);
  // Lab workers train shipped sets from their own resources folder: the ids must mean the same images.
  if (values.redis && resourcesDir !== resolve(repoRoot, 'resources')) throw new Error('--resources and --redis do not go together: lab workers read the shipped data sets from their own resources folder.');
  const log = (m: string) => console.error(`[transfer-lab] ${m}`);
  // --redis: training jobs that lab workers can run go to them through BullMQ.
  const remote = values.redis
    ? { runner: await RemoteRunner.connect({ redisUrl: values.redis, version, artifactRoot: join(dataDir, 'runs'), log }), accepts: trainsRemotely(resourcesDir) }
    : undefined;
  // A tab may opt in to train on its own computer's GPU (its Web Worker runs the window worker's bundle).
  const windowWorkerDir = join(repoRoot, 'dist/window-worker');
  const tabWindow = existsSync(join(windowWorkerDir, 'window-worker.js')) ? new TabWindowSlot() : undefined;
  const services = createAppServices({
    dataDir,
    resourcesDir,
    mode: 'browser',
    version,
    spawnWorker: forkWorkerSpawner(workerEntry),
    log,
    remote,
    windowGpu: tabWindow,
  });
  const server = await startServer({
    host: values.host!,
    port,
    token: values.token ?? process.env.TL_TOKEN ?? newToken(),
    staticDir,
    dispatch: services.dispatch,
    subscribe: services.subscribe,
    eventVisible: services.eventVisible,
    lab: {
      classToken: values['class-token'] ?? process.env.TL_CLASS_TOKEN ?? newToken(),
      claim: (name, secret) => services.lab.claim(name, secret),
      verify: (name, secret) => services.lab.verify(name, secret),
      uploadDir: (caller) => (caller.role === 'student' ? studentUploadDir(dataDir, caller.student) : teacherUploadDir(dataDir)),
    },
    log: (m) => console.error(`[transfer-lab] ${m}`),
    windowWorker: tabWindow && { dir: windowWorkerDir, attach: (link) => tabWindow.attach(link) },
  });
  const shared = reachableUrl(server.url, values.host!);
  const classUrl = reachableUrl(server.classUrl!, values.host!);
  services.lab.classUrl = classUrl;
  console.log(`Transfer Lab (browser mode) is running.`);
  console.log(`Teacher (everything; keep it to yourself):\n  ${server.url}${shared !== server.url ? `\n  ${shared}` : ''}`);
  console.log(`Class (each student types their name once):\n  ${classUrl}`);
  console.log(`Data folder: ${dataDir}`);
  if (values.redis) console.log(`Training jobs go to lab workers through ${values.redis}: on each machine run  npm run worker -- --redis ${values.redis}`);

  const shutdown = async () => {
    await server.close();
    services.close();
    await remote?.runner.close();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

/** Shared with a lab (0.0.0.0): the link with this machine's LAN address, which students can open. */
function reachableUrl(url: string, bindHost: string): string {
  if (!['0.0.0.0', '::', ''].includes(bindHost)) return url;
  const lan = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
  if (!lan) return url;
  const u = new URL(url);
  u.hostname = lan.address;
  return u.toString();
}

main().catch((e) => {
  if (e instanceof DatabaseOpenError) console.error(`${e.message}\nTo use another data folder, start with --data-dir DIR.`);
  else console.error(e instanceof PortInUseError || e instanceof Error ? `Transfer Lab could not start: ${e.message}` : e);
  process.exit(1);
});
