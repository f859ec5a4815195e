// How far this machine's cores scale right now: the same fixed loop in one process alone, then in
// `n` processes at once — an arithmetic loop in each core's own cache, and a loop of the pool's own
// training steps, which also shares the memory system and co-runs worse. On idle, separate cores the
// ratio is 1/n; on a VM whose vCPUs share physical cores, or a host that is busy, it is higher, and
// no program can split that work across the cores better. The pool bench runs both in every round.
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

// Float multiply-adds over a 256 KiB array (in L2), ~0.3 s on a current core (node's start-up inside, alike on both sides).
const LOOP = `const a = new Float32Array(1 << 16).map((_, i) => i * 1e-3); let s = 0;
for (let r = 0; r < 1500; r++) for (let i = 0; i < a.length; i++) s += a[i] * a[(i * 7) & 65535];
if (!(s > 0)) process.exit(1);`;

/** Wall seconds of `n` copies of a fixed piece of work run at once (n = 1: alone). */
export interface ScalingLoop { run(n: number): Promise<number> }

/** The arithmetic loop: what the cores give to work that stays in their own caches. */
export const arithmeticLoop: ScalingLoop = {
  run: async (n) => {
    const t0 = performance.now();
    await Promise.all(Array.from({ length: n }, () => run(process.execPath, ['-e', LOOP], { timeout: 120_000 })));
    return (performance.now() - t0) / 1000;
  },
};

const shardLoopScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'training', 'shard-loop.ts');

/** One copy of training/shard-loop.ts: resolves once it is warm, with a go() that answers its
 *  seconds; a copy that exits without answering fails whichever of the two is pending. */
function startShardLoop(steps: number): Promise<{ go(): Promise<number> }> {
  return new Promise((ready, failed) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--single-threaded-gc', shardLoopScript, String(steps)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-1000); });
    let answer: { resolve(s: number): void; reject(e: Error): void } | null = null;
    const seconds = new Promise<number>((resolve, reject) => { answer = { resolve, reject }; });
    seconds.catch(() => {}); // awaited through go(); a copy that never got there must not count as unhandled
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line === 'ready') ready({ go: () => { child.stdin.write('go\n'); return seconds; } });
      else if (Number.isFinite(Number(line))) answer!.resolve(Number(line));
    });
    child.on('exit', (code) => {
      const e = new Error(`the shard loop exited (code ${code}) without an answer: ${stderr.trim()}`);
      failed(e);
      answer!.reject(e);
    });
  });
}

/** The pool's own kind of work (training steps through tl-resnet-s, memory-heavy): warm copies
 *  started together, timed by themselves, so start-up stays outside. */
export function trainingLoop(steps = 60): ScalingLoop {
  return {
    run: async (n) => {
      const copies = await Promise.all(Array.from({ length: n }, () => startShardLoop(steps)));
      return Math.max(...await Promise.all(copies.map((c) => c.go())));
    },
  };
}

export interface Scaling { aloneS: number; togetherS: number; processes: number; ceiling: number }

/** `ceiling`: wall time of n copies of `loop` at once ÷ n one after another (best 1/n). Alone and
 *  together alternate `tries` times and the fastest of each counts: load only ever adds time. */
export async function measureScaling(processes: number, tries = 3, loop: ScalingLoop = arithmeticLoop): Promise<Scaling> {
  let aloneS = Infinity;
  let togetherS = Infinity;
  for (let i = 0; i < tries; i++) {
    aloneS = Math.min(aloneS, await loop.run(1));
    togetherS = Math.min(togetherS, await loop.run(processes));
  }
  return { aloneS, togetherS, processes, ceiling: togetherS / (processes * aloneS) };
}
