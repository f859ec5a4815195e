// Runs bench/pytorch_reference.py with a Python that has torch (Debian's python3-torch lives in
// /usr/bin/python3, which a pyenv or venv `python3` on PATH may hide).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Timing } from './measure.js';

const run = promisify(execFile);
const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'pytorch_reference.py');

export interface TorchResult {
  python: string;
  torch: string;
  threads: number;
  forward: Timing;
  featureExtractionCached: Timing;
  featureExtractionNaive: Timing;
  fineTuneEpoch: Timing;
}

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

export async function runTorchReference(python: string, opts: { dataDir: string; n: number; classes: number; batch: number; epochs: number; threads: number }): Promise<TorchResult> {
  const args = [script, '--data', opts.dataDir, '--n', String(opts.n), '--classes', String(opts.classes),
    '--batch', String(opts.batch), '--epochs', String(opts.epochs), '--threads', String(opts.threads), '--repeat', process.env.BENCH_REPEATS ?? '3'];
  const { stdout } = await run(python, args, { timeout: 30 * 60_000, maxBuffer: 1 << 20 });
  const line = stdout.trim().split('\n').pop() ?? '';
  const parsed = JSON.parse(line) as Omit<TorchResult, 'python'>;
  return { python, ...parsed };
}
