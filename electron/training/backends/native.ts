// Finding and loading the optional libtensorflow packages (@tensorflow/tfjs-node, -gpu). Loading
// happens first in a short child process, so a crash, a hang or a silent CPU fallback of the native
// library never takes the training worker with it, and libtensorflow's stderr can be read.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import util from 'node:util';
import { ptxJitCapability } from './gpu-log.js';

export type NativePackage = '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node';

export interface ProbeOutput {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** The marker the probe prints on stdout once a tensor op really ran on the native backend. */
export const PROBE_MARKER = 'TL_NATIVE_PROBE_OK';

// Lazily, and plain `require` where it exists: a CommonJS bundle of this file has no import.meta.url.
const requireHere = (): NodeJS.Require => (typeof require === 'function' ? require : createRequire(import.meta.url));

/** Where an installed package's entry file is, or null when npm left the optional package out. */
export function resolveInstalledPackage(name: NativePackage): string | null {
  try {
    return requireHere().resolve(name);
  } catch {
    return null;
  }
}

/** Node ≥ 23 (Electron's Node) removed util.isNullOrUndefined, which tfjs-node 4.x still calls. */
export function patchUtilForTfjsNode(target: Record<string, unknown> = util as unknown as Record<string, unknown>, nodeVersion = process.versions.node): boolean {
  const major = Number(nodeVersion.split('.')[0]);
  if (major < 23 || typeof target.isNullOrUndefined === 'function') return false;
  target.isNullOrUndefined = (v: unknown) => v === null || v === undefined;
  return true;
}

/** The marker of each op the probe starts, so a crash can be pinned on the op that caused it. */
export const PROBE_STEP = 'TL_PROBE_STEP';

// Runs in the child: same patch, require the package, then a matMul, a conv2d and the conv2d's
// gradient (what training does first), each checked against the known answer. cuDNN only loads at
// the first convolution, so a broken cuDNN shows up here rather than in a student's first run.
const PROBE_SCRIPT = `
const step = (s) => process.stdout.write('${PROBE_STEP} ' + s + '\\n');
const util = require('util');
if (typeof util.isNullOrUndefined !== 'function') util.isNullOrUndefined = (v) => v === null || v === undefined;
step('load');
const tf = require(process.env.TL_PROBE_ENTRY);
const check = (op, got, want) => { if (!(Math.abs(got - want) < 1e-3)) throw new Error(op + ' returned ' + got + ' instead of ' + want); return got; };
step('matMul');
const m = check('matMul', tf.matMul(tf.ones([16, 16]), tf.ones([16, 16])).dataSync()[0], 16);
step('conv2d');
const x = tf.ones([1, 8, 8, 3]);
const f = tf.ones([3, 3, 3, 4]);
const c = check('conv2d', tf.conv2d(x, f, 1, 'same').dataSync()[0], 12);
step('conv2d gradient');
const [dx, df] = tf.grads((a, b) => tf.sum(tf.conv2d(a, b, 1, 'same')))([x, f]);
const g = [check('conv2d input gradient', dx.dataSync()[0], 16), check('conv2d filter gradient', df.dataSync()[0], 49)];
process.stdout.write('${PROBE_MARKER} ' + JSON.stringify({ backend: tf.getBackend(), matMul: m, conv2d: c, gradient: g }) + '\\n');
`;

export interface ProbeLimits {
  /** How long loading and the ops may take. */
  timeoutMs: number;
  /** The limit once TensorFlow says it compiles its GPU kernels from PTX (a GPU newer than the build). */
  jitTimeoutMs?: number;
}

/** The time limit a probe has, given what it has logged so far. */
export function probeTimeLimit(stderrSoFar: string, limits: ProbeLimits): number {
  return limits.jitTimeoutMs != null && ptxJitCapability(stderrSoFar) != null ? limits.jitTimeoutMs : limits.timeoutMs;
}

// CUDA keeps kernels it compiled from PTX in its compute cache (~/.nv/ComputeCache), 256 MiB by
// default on older drivers: too small for TensorFlow's kernels, so they would be compiled again at
// every start. 4 GiB is the largest size CUDA accepts. An admin's own setting wins.
const CUDA_CACHE_MAXSIZE = '4294967296';

/** The probe child's environment. */
export function nativeProbeEnv(base: NodeJS.ProcessEnv, entry: string): NodeJS.ProcessEnv {
  return {
    ...base,
    TL_PROBE_ENTRY: entry,
    ELECTRON_RUN_AS_NODE: '1', // inside Electron, execPath is the app; make it behave as Node
    TF_CPP_MIN_LOG_LEVEL: '0', // device creation is logged at INFO level
    CUDA_CACHE_MAXSIZE: base.CUDA_CACHE_MAXSIZE ?? CUDA_CACHE_MAXSIZE,
  };
}

/** The last op the probe started (its stdout), or null when it never got that far. */
export function lastProbeStep(stdout: string): string | null {
  const steps = [...stdout.matchAll(new RegExp(`^${PROBE_STEP} (.+)$`, 'gm'))];
  return steps.at(-1)?.[1].trim() ?? null;
}

/** Requires `entry` in a child Node process, runs the probe ops and captures everything libtensorflow logs. */
export function runNativeProbe(entry: string, limits: number | ProbeLimits = 90_000): Promise<ProbeOutput> {
  const lim = typeof limits === 'number' ? { timeoutMs: limits } : limits;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', PROBE_SCRIPT], {
      env: nativeProbeEnv(process.env, entry),
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const started = Date.now();
    let limit = lim.timeoutMs;
    const kill = () => { timedOut = true; child.kill('SIGKILL'); };
    let timer = setTimeout(kill, limit);
    const cap = (s: string, chunk: Buffer) => (s.length > 200_000 ? s : s + chunk.toString('utf8'));
    child.stdout.on('data', (c: Buffer) => { stdout = cap(stdout, c); });
    child.stderr.on('data', (c: Buffer) => {
      stderr = cap(stderr, c);
      const next = probeTimeLimit(stderr, lim);
      if (next !== limit) { // a PTX compile started: same start, longer limit
        limit = next;
        clearTimeout(timer);
        timer = setTimeout(kill, Math.max(0, limit - (Date.now() - started)));
      }
    });
    child.on('error', (err) => { stderr += `\n${err.message}`; });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code, stdout, stderr, timedOut });
    });
  });
}

/** Loads the package into this process; it registers and selects the 'tensorflow' backend. */
export async function loadNativeInProcess(entry: string): Promise<void> {
  patchUtilForTfjsNode();
  process.env.CUDA_CACHE_MAXSIZE ??= CUDA_CACHE_MAXSIZE; // read by CUDA when libtensorflow starts it
  requireHere()(entry);
}

/** The last meaningful line of a failed probe's stderr, for the report. */
export function lastErrorLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const err = [...lines].reverse().find((l) => /Error|error:|cannot|not found/i.test(l));
  return (err ?? lines.at(-1) ?? 'no output').slice(0, 300);
}
