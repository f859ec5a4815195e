// How far this machine's cores scale right now: the same fixed arithmetic loop in one process alone,
// then in `n` processes at once. On idle, separate cores the ratio below is 1/n; on a VM whose
// vCPUs share physical cores, or a host that is busy, it is higher, and no program can split work
// across the cores better than that. The pool bench runs it in every round, beside the pair.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

// Float multiply-adds over a 256 KiB array (in L2), ~0.3 s on a current core (node's start-up inside, alike on both sides).
const LOOP = `const a = new Float32Array(1 << 16).map((_, i) => i * 1e-3); let s = 0;
for (let r = 0; r < 1500; r++) for (let i = 0; i < a.length; i++) s += a[i] * a[(i * 7) & 65535];
if (!(s > 0)) process.exit(1);`;

async function loops(n: number): Promise<number> {
  const t0 = performance.now();
  await Promise.all(Array.from({ length: n }, () => run(process.execPath, ['-e', LOOP], { timeout: 120_000 })));
  return (performance.now() - t0) / 1000;
}

export interface Scaling { aloneS: number; togetherS: number; processes: number; ceiling: number }

/** `ceiling`: wall time of n loops at once ÷ n loops one after another (best 1/n). Alone and
 *  together alternate `tries` times and the fastest of each counts: load only ever adds time. */
export async function measureScaling(processes: number, tries = 3): Promise<Scaling> {
  let aloneS = Infinity;
  let togetherS = Infinity;
  for (let i = 0; i < tries; i++) {
    aloneS = Math.min(aloneS, await loops(1));
    togetherS = Math.min(togetherS, await loops(processes));
  }
  return { aloneS, togetherS, processes, ceiling: togetherS / (processes * aloneS) };
}
