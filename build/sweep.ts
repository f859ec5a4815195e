// `npm run sweep -- <data set> [--sizes 5,10,30] [--seeds 3] [--strategies fe,ft] [--workers N] [--quick] [--data-dir DIR] [--out DIR]`
// Runs a sweep headless through the app's own services (the same queue, worker processes, engine,
// pair rule and store as the Flowchart view), then writes <out>/<data set>.json (the sweep the
// lessons show), .svg and .png (the figure) and .md (the table). Default out: resources/sweeps.
// With --data-dir a stopped sweep resumes where it stopped: finished runs are kept.
import { cpus } from 'node:os';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { methods, type Strategy, type SweepProgress, type SweepRequestInput } from '../electron/contract/index.js';
import { createAppServices } from '../electron/services/app-services.js';
import { forkWorkerSpawner } from '../electron/services/training/worker-host.js';
import { sweepTable } from './sweep-table.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

export interface SweepRunOptions {
  request: SweepRequestInput;
  dataDir?: string;
  outDir?: string;
  workers?: number | 'auto';
  log?: (line: string) => void;
}

/** Runs (or resumes) one sweep to the end and writes its files; returns their paths and the wall time. */
export async function runSweep(opts: SweepRunOptions): Promise<{ files: string[]; seconds: number }> {
  const log = opts.log ?? ((l) => console.log(l));
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'tl-sweep-'));
  const services = createAppServices({
    dataDir, resourcesDir: join(ROOT, 'resources'), mode: 'browser', version: 'build',
    spawnWorker: forkWorkerSpawner(join(ROOT, 'electron/training/worker.ts')), log: (m) => log(`  ${m}`),
  });
  const h = services.handlers;
  try {
    await h['settings.set']({ trainingWorkers: opts.workers ?? 'auto' });
    const request = methods['sweeps.start'].params.parse(opts.request);
    // A sweep of this data set left in the data folder (and resumed at start) is carried on.
    const existing = (await h['sweeps.list']({})).find((s) => s.source === 'stored' && s.config.datasetId === request.datasetId && s.status !== 'completed');
    const t0 = Date.now();
    let sweep = existing ?? (await h['sweeps.start'](request));
    if (sweep.status === 'cancelled' || sweep.status === 'failed') sweep = await h['sweeps.resume']({ id: sweep.id });
    log(`Sweep ${sweep.name}: ${sweep.total} runs at ${sweep.config.ladder.map((l) => l.perClass).join(', ')} per class, ${sweep.config.seeds} seeds, on ${(await h['training.queue']({})).workers} worker(s); data in ${dataDir}`);
    let last: Pick<SweepProgress, 'done' | 'failed'> = { done: -1, failed: -1 };
    const final = await new Promise<SweepProgress>((done) => {
      const off = services.subscribe((e) => {
        if (e.event !== 'sweeps.progress') return;
        const p = e.payload as SweepProgress;
        if (p.sweepId !== sweep.id || (p.done === last.done && p.failed === last.failed && p.status === 'running')) return;
        last = p;
        log(`  ${p.done}/${p.total} runs done${p.failed ? `, ${p.failed} not finished` : ''}${p.etaSeconds !== null ? `, about ${Math.round(p.etaSeconds / 60)} min left` : ''} (${Math.round((Date.now() - t0) / 1000)} s)`);
        if (p.status !== 'running') {
          off();
          done(p);
        }
      });
      if (sweep.status !== 'running') done({ sweepId: sweep.id, status: sweep.status, done: sweep.done, total: sweep.total, failed: sweep.failed, etaSeconds: null });
    });
    const seconds = (Date.now() - t0) / 1000;
    if (final.status !== 'completed') throw new Error(`The sweep ended ${final.status}: ${final.failed} run(s) did not finish; nothing was written. Run again with --data-dir ${dataDir} to resume it.`);
    const outDir = opts.outDir ?? join(ROOT, 'resources/sweeps');
    mkdirSync(outDir, { recursive: true });
    const base = join(outDir, request.datasetId);
    const files: string[] = [];
    for (const format of ['json', 'svg', 'png'] as const) {
      const file = await h['sweeps.export']({ id: sweep.id, format });
      writeFileSync(`${base}.${format}`, file.encoding === 'base64' ? Buffer.from(file.content, 'base64') : file.content);
      files.push(`${base}.${format}`);
    }
    const detail = await h['sweeps.get']({ id: sweep.id });
    const machine = `${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} logical cores), ${(await h['training.queue']({})).workers} worker process(es), backend ${process.env.TL_BACKEND ?? detail.config.backend}`;
    writeFileSync(`${base}.md`, sweepTable(detail, existing ? null : { seconds, machine }));
    files.push(`${base}.md`);
    return { files, seconds };
  } finally {
    services.close();
  }
}

const STRATEGY_FLAGS: Record<string, Strategy> = { fe: 'feature-extraction', 'feature-extraction': 'feature-extraction', ft: 'fine-tuning', 'fine-tuning': 'fine-tuning' };

/** "fe", "ft" or "fe,ft" (or the strategies' full names). */
function parseStrategies(text: string): Strategy[] {
  return [...new Set(text.split(',').map((t) => {
    const s = STRATEGY_FLAGS[t.trim()];
    if (!s) throw new Error(`--strategies: "${t}" is not a strategy; use fe, ft or fe,ft.`);
    return s;
  }))];
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      sizes: { type: 'string' }, seeds: { type: 'string' }, workers: { type: 'string' }, quick: { type: 'boolean', default: false },
      'data-dir': { type: 'string' }, out: { type: 'string' }, backend: { type: 'string' }, strategies: { type: 'string' },
    },
  });
  const datasetId = positionals[0];
  if (!datasetId) throw new Error('Usage: npm run sweep -- <data set id> [--sizes 5,10,30] [--seeds 3] [--strategies fe,ft] [--workers N] [--quick] [--data-dir DIR] [--out DIR] [--backend wasm]');
  const request: SweepRequestInput = {
    datasetId,
    ...(values.sizes ? { sizes: values.sizes.split(',').map(Number) } : {}),
    ...(values.seeds ? { seeds: Number(values.seeds) } : {}),
    ...(values.quick ? { budget: { epochs: 1, headEpochs: 1 } } : {}),
    ...(values.backend ? { backend: values.backend as SweepRequestInput['backend'] } : {}),
    ...(values.strategies ? { strategies: parseStrategies(values.strategies) } : {}),
  };
  const workers = values.workers ? (values.workers === 'auto' ? 'auto' : Number(values.workers)) : 'auto';
  const { files, seconds } = await runSweep({ request, dataDir: values['data-dir'] ? resolve(values['data-dir']) : undefined, outDir: values.out ? resolve(values.out) : undefined, workers });
  console.log(`Done in ${Math.round(seconds)} s. Wrote:\n${files.map((f) => `  ${f}`).join('\n')}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
