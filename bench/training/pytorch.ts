// Runs bench/pytorch_reference.py for one workload with a Python that has torch (Debian's
// python3-torch lives in /usr/bin/python3, which a pyenv or venv `python3` on PATH may hide).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { resourcesDir } from './data.js';
import type { TorchResult, WorkloadSpec } from './spec.js';

const run = promisify(execFile);
export const referenceScript = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'pytorch_reference.py');

/** The first Python that can `import torch`, or the reason none can. */
export async function findTorchPython(candidates = [process.env.BENCH_PYTHON, 'python3', '/usr/bin/python3']): Promise<{ python: string } | { reason: string }> {
  const tried: string[] = [];
  for (const py of candidates) {
    if (!py || tried.includes(py)) continue;
    tried.push(py);
    try {
      await run(py, ['-c', 'import torch'], { timeout: 60_000 });
      return { python: py };
    } catch (err) {
      const msg = err instanceof Error ? err.message.split('\n').filter(Boolean).pop() : String(err);
      tried[tried.length - 1] = `${py} (${msg})`;
    }
  }
  return { reason: `no Python with torch: tried ${tried.join('; ')}` };
}

/** The script's arguments for `spec`; threads 0 = every core the process may use. */
export function torchArgs(spec: WorkloadSpec, classes: number, threads: number): string[] {
  return [
    '--data', path.join(resourcesDir, 'datasets', spec.datasetId), '--arch', spec.arch, '--workload', spec.kind,
    '--train', String(spec.sizes.train), '--val', String(spec.sizes.val), '--test', String(spec.sizes.test),
    '--classes', String(classes), '--batch', String(spec.batch), '--head-epochs', String(spec.headEpochs),
    '--ft-epochs', String(spec.ftEpochs), '--unfreeze', String(spec.unfreeze), '--repeats', String(spec.repeats),
    '--threads', String(threads),
  ];
}

export async function runTorchWorkload(python: string, spec: WorkloadSpec, classes: number, threads: number): Promise<TorchResult> {
  const { stdout } = await run(python, [referenceScript, ...torchArgs(spec, classes, threads)], { timeout: 10 * 60_000, maxBuffer: 1 << 20 });
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as TorchResult;
}
