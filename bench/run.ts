// `npm run bench [-- name ...]`: runs every bench/suites/*.ts that exports
// `async function run(): Promise<BenchSection | BenchSection[]>`, prints each section as a table and
// writes them all to bench/results/latest.json. Arguments restrict the run to suites by file name;
// `--quick` makes it a smoke run (TL_BENCH_QUICK=1: small sizes, written to results/quick.json).
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BenchReport, type BenchSection, formatSection, hostFacts, writeReport } from './report.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export async function listSuites(dir = path.join(here, 'suites')): Promise<string[]> {
  const files = await readdir(dir);
  return files.filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts')).sort().map((f) => path.join(dir, f));
}

async function runSuite(file: string): Promise<BenchSection[]> {
  const name = path.basename(file, '.ts');
  try {
    const mod = (await import(pathToFileURL(file).href)) as { run?: () => Promise<BenchSection | BenchSection[]> };
    if (typeof mod.run !== 'function') {
      return [{ title: name, rows: [], notes: [`skipped: ${path.relative(process.cwd(), file)} exports no run() function`] }];
    }
    const out = await mod.run();
    return Array.isArray(out) ? out : [out];
  } catch (err) {
    const msg = err instanceof Error ? err.stack ?? err.message : String(err);
    return [{ title: name, rows: [], notes: [`failed: ${msg}`] }];
  }
}

/** Suite names and flags of `npm run bench -- [--quick] [suite ...]`. */
export function parseArgs(args: string[]): { only: string[]; quick: boolean } {
  const unknown = args.filter((a) => a.startsWith('--') && a !== '--quick');
  if (unknown.length) throw new Error(`unknown bench option ${unknown.join(', ')} (known: --quick)`);
  return { only: args.filter((a) => !a.startsWith('--')), quick: args.includes('--quick') };
}

async function main(): Promise<void> {
  const { only, quick: quickFlag } = parseArgs(process.argv.slice(2));
  if (quickFlag) process.env.TL_BENCH_QUICK = '1';
  const quick = process.env.TL_BENCH_QUICK === '1';
  const suites = (await listSuites()).filter((f) => only.length === 0 || only.includes(path.basename(f, '.ts')));
  if (suites.length === 0) throw new Error(`no bench suite matches ${only.join(', ')}`);
  const report: BenchReport = { startedAt: new Date().toISOString(), host: hostFacts(), sections: [] };
  console.log(`bench${quick ? ' (quick)' : ''}: ${suites.length} suite(s) on ${report.host.cpuModel} × ${report.host.cpus}, Node ${report.host.node}, load ${report.host.loadAverage.join(' ')}`);
  for (const file of suites) {
    for (const section of await runSuite(file)) {
      report.sections.push(section);
      console.log(`\n${formatSection(section)}`);
    }
  }
  const out = path.join(here, 'results', quick ? 'quick.json' : 'latest.json');
  await writeReport(report, out);
  console.log(`\nwrote ${path.relative(process.cwd(), out)}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
