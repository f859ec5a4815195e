// Run-history store at classroom-archive scale: 10,000 runs with 50 epochs each in an on-disk
// SQLite file, then the history list's queries (list, filters, search, sorts, deep pages) and the
// per-epoch write the training loop does. Times are reported, not asserted.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunFilter } from '../../electron/contract/index.js';
import { RunStore } from '../../electron/services/runs/run-store.js';
import { sampleConfig, sampleEpoch, sampleResult } from '../../electron/services/runs/testing/sample-runs.js';
import { openDatabase } from '../../electron/services/store/database.js';

/** Same shape as bench/report.ts's BenchSection. */
export interface BenchSection {
  title: string;
  rows: Record<string, string | number>[];
  notes: string[];
}

const RUNS = Number(process.env.BENCH_STORE_RUNS ?? 10_000);
const EPOCHS = 50;
const DATASETS = ['shapes', 'digits', 'fashion'];
const STATUSES = ['completed', 'completed', 'completed', 'failed', 'cancelled', 'interrupted'] as const;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time<T>(fn: () => T, reps = 7): { ms: number; value: T } {
  let value = fn(); // warm the statement cache and SQLite's page cache
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    value = fn();
    times.push(performance.now() - t);
  }
  return { ms: median(times), value };
}

function seed(store: RunStore): void {
  store.db.transaction(() => {
    for (let i = 0; i < RUNS; i++) {
      const ft = i % 2 === 1;
      const pairId = ft ? null : store.createPair();
      const run = store.createRun({
        name: `Run ${i} ${ft ? 'fine-tune' : 'features'} ${DATASETS[i % 3]}`,
        pairId,
        config: sampleConfig({ strategy: ft ? 'fine-tuning' : 'feature-extraction', dataset: { id: DATASETS[i % 3], perClass: 100 }, seed: i }),
        studentName: `student-${i % 30}`,
        classSession: `ML-${100 + (i % 4)}`,
      });
      store.markStarted(run.id, { rung: 'wasm', device: 'wasm', trainableParams: 1290, frozenParams: 174_336 });
      for (let e = 0; e < EPOCHS; e++) store.appendEpoch(run.id, sampleEpoch(e, 0.3 + ((i * 7 + e) % 60) / 100));
      const status = STATUSES[i % STATUSES.length];
      if (status === 'completed') store.complete(run.id, sampleResult({ bestValAcc: 0.5 + (i % 50) / 100, totalSeconds: 10 + (i % 300) }), null);
      else store.finish(run.id, status, status === 'failed' ? 'Out of memory' : null);
      if (i % 3 === 0) store.update(run.id, { tags: i % 9 === 0 ? ['lab1', 'baseline'] : ['lab2'], notes: i % 10 === 0 ? 'tried a lower learning rate' : '' });
    }
  })();
}

export async function run(): Promise<BenchSection> {
  const dir = mkdtempSync(join(tmpdir(), 'tl-bench-store-'));
  const file = join(dir, 'bench.sqlite');
  try {
    const db = openDatabase(file);
    const store = new RunStore(db);
    const t0 = performance.now();
    seed(store);
    const seedSeconds = (performance.now() - t0) / 1000;
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.exec('ANALYZE');

    const rows: Record<string, string | number>[] = [];
    const query = (what: string, f: Partial<RunFilter>) => {
      const filter = RunFilter.parse(f);
      const { ms, value } = time(() => store.list(filter));
      rows.push({ query: what, ms: Number(ms.toFixed(2)), returned: value.runs.length, total: value.total });
    };
    query('list newest 200', {});
    query('filter strategy', { strategy: 'fine-tuning' });
    query('filter data set + status', { datasetId: 'digits', status: 'completed' });
    query('filter student', { student: 'student-7' });
    query('filter tag', { tag: 'lab1' });
    query('search "lower learning"', { search: 'lower learning' });
    query('search + filter strategy', { search: 'digits', strategy: 'feature-extraction' });
    query('sort best val acc', { sort: 'bestValAcc' });
    query('sort name asc', { sort: 'name', order: 'asc' });
    query('sort total time, page 40', { sort: 'totalSeconds', offset: 8000 });
    query('list 1000 (largest page)', { limit: 1000 });

    const someId = store.list(RunFilter.parse({ limit: 1 })).runs[0].id;
    const detail = time(() => store.get(someId));
    rows.push({ query: `get one run (${detail.value.epochs.length} epochs)`, ms: Number(detail.ms.toFixed(2)), returned: 1, total: 1 });
    const ids = store.list(RunFilter.parse({ limit: 100 })).runs.map((r) => r.id);
    const exported = time(() => store.exportRuns(ids, 'json'), 3);
    rows.push({ query: 'export 100 runs as JSON', ms: Number(exported.ms.toFixed(2)), returned: 100, total: exported.value.content.length });

    const live = store.createRun({ name: 'live', pairId: null, config: sampleConfig(), studentName: 'x', classSession: 'x' });
    let epoch = 0;
    const write = time(() => store.appendEpoch(live.id, sampleEpoch(epoch++)), 50);
    rows.push({ query: 'append one epoch (own transaction, WAL)', ms: Number(write.ms.toFixed(3)), returned: 0, total: 0 });

    db.close();
    const mb = statSync(file).size / 1e6;
    return {
      title: `Run store: ${RUNS.toLocaleString('en')} runs × ${EPOCHS} epochs`,
      rows,
      notes: [
        `Seeded in ${seedSeconds.toFixed(1)} s (one transaction); file ${mb.toFixed(0)} MB.`,
        'Each time is the median of 7 repetitions after one warm-up, on a warm page cache; "total" is the filter\'s full count (computed in the same call).',
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// `npx tsx bench/suites/store.ts` runs this suite alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  run().then((s) => {
    console.log(s.title);
    console.table(s.rows);
    for (const n of s.notes) console.log('-', n);
  });
}
