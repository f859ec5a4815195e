// Finding and loading the optional libtensorflow packages (@tensorflow/tfjs-node, -gpu). Loading
// happens first in a short child process, so a crash, a hang or a silent CPU fallback of the native
// library never takes the training worker with it, and libtensorflow's stderr can be read.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import util from 'node:util';

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

// Runs in the child: same patch, require the package, run one op, print the marker.
const PROBE_SCRIPT = `
const util = require('util');
if (typeof util.isNullOrUndefined !== 'function') util.isNullOrUndefined = (v) => v === null || v === undefined;
const tf = require(process.env.TL_PROBE_ENTRY);
const y = tf.matMul(tf.ones([16, 16]), tf.ones([16, 16]));
const v = y.dataSync()[0];
process.stdout.write('${PROBE_MARKER} ' + JSON.stringify({ backend: tf.getBackend(), value: v }) + '\\n');
`;

/** Requires `entry` in a child Node process and captures everything libtensorflow logs. */
export function runNativeProbe(entry: string, timeoutMs = 90_000): Promise<ProbeOutput> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', PROBE_SCRIPT], {
      env: {
        ...process.env,
        TL_PROBE_ENTRY: entry,
        ELECTRON_RUN_AS_NODE: '1', // inside Electron, execPath is the app; make it behave as Node
        TF_CPP_MIN_LOG_LEVEL: '0', // device creation is logged at INFO level
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const cap = (s: string, chunk: Buffer) => (s.length > 200_000 ? s : s + chunk.toString('utf8'));
    child.stdout.on('data', (c: Buffer) => { stdout = cap(stdout, c); });
    child.stderr.on('data', (c: Buffer) => { stderr = cap(stderr, c); });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
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
  requireHere()(entry);
}

/** The last meaningful line of a failed probe's stderr, for the report. */
export function lastErrorLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const err = [...lines].reverse().find((l) => /Error|error:|cannot|not found/i.test(l));
  return (err ?? lines.at(-1) ?? 'no output').slice(0, 300);
}
