// Entry point of one bench child process: runs the workload named in argv[2] (a WorkloadSpec as
// JSON) through the engine and sends back its EngineResult, so each workload's peak memory is its own.
import { runEngineWorkload } from './engine-workloads.js';
import type { Outcome, EngineResult, WorkloadSpec } from './spec.js';

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? 'null') as WorkloadSpec | null;
  let outcome: Outcome<EngineResult>;
  try {
    if (!spec) throw new Error('bench child started without a workload');
    outcome = { ok: true, value: await runEngineWorkload(spec) };
  } catch (err) {
    outcome = { ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) };
  }
  if (!process.send) {
    console.log(JSON.stringify(outcome));
    process.exit(0);
  }
  process.send(outcome, () => process.exit(0));
}

void main();
