// The backend ladder: tfjs-node-gpu (a GPU device verified) → tfjs-node → wasm (+ our training
// kernels) → cpu. Every rung is probed and reported with the reason it is (un)available; the
// first available one is used unless TL_BACKEND or the user's setting forces one.
import * as tf from '@tensorflow/tfjs';
import type { BackendChoice as BackendChoiceSchema, DeviceReport, Rung, RungReport } from '../../contract/index.js';
import type { BackendSelection } from '../types.js';
import { parseGpuLog } from './gpu-log.js';
import {
  lastErrorLine, loadNativeInProcess, PROBE_MARKER, resolveInstalledPackage, runNativeProbe,
  type NativePackage, type ProbeOutput,
} from './native.js';
import type { z } from 'zod';

export type BackendChoice = z.output<typeof BackendChoiceSchema>;
export const RUNGS: readonly Rung[] = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];
const PACKAGE: Record<'tfjs-node-gpu' | 'tfjs-node', NativePackage> = {
  'tfjs-node-gpu': '@tensorflow/tfjs-node-gpu',
  'tfjs-node': '@tensorflow/tfjs-node',
};
const TF_BACKEND_NAME: Record<Rung, string> = { 'tfjs-node-gpu': 'tensorflow', 'tfjs-node': 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

/** Everything the ladder touches outside itself, so tests can fake module loading and device logs. */
export interface LadderDeps {
  env: Record<string, string | undefined>;
  resolvePackage(name: NativePackage): string | null;
  /** Loads the package in a child process and returns its output (libtensorflow logs on stderr). */
  probeNative(name: NativePackage, entry: string): Promise<ProbeOutput>;
  /** Loads the package into this process (it registers the 'tensorflow' backend). */
  loadNative(name: NativePackage, entry: string): Promise<void>;
  /** Starts the wasm backend with our training kernels and selects it. */
  initWasm(): Promise<void>;
  /** Selects an already registered tfjs backend by name. */
  setTfBackend(name: string): Promise<boolean>;
}

// A native probe starts libtensorflow in a child process (seconds, more with CUDA); its answer does
// not change while the app runs, so it is kept until a refresh is asked for.
const probeCache = new Map<string, Promise<ProbeOutput>>();
/** Forget earlier native probes (the device panel's "refresh"). */
export function clearProbeCache(): void {
  probeCache.clear();
}

export const defaultLadderDeps = (): LadderDeps => ({
  env: process.env,
  resolvePackage: resolveInstalledPackage,
  probeNative: (_name, entry) => {
    let p = probeCache.get(entry);
    if (!p) {
      p = runNativeProbe(entry);
      probeCache.set(entry, p);
    }
    return p;
  },
  loadNative: (_name, entry) => loadNativeInProcess(entry),
  initWasm: async () => (await import('../kernels/wasm-setup.js')).initWasmBackend(),
  setTfBackend: (name) => tf.setBackend(name),
});

function nativeReport(rung: 'tfjs-node-gpu' | 'tfjs-node', out: ProbeOutput): RungReport {
  const pkg = PACKAGE[rung];
  if (out.timedOut) return { rung, available: false, reason: `${pkg} did not start within the time limit` };
  const ran = out.exitCode === 0 && out.stdout.includes(PROBE_MARKER);
  if (!ran) {
    return { rung, available: false, reason: `${pkg} is installed but failed to load: ${lastErrorLine(out.stderr)}` };
  }
  if (rung === 'tfjs-node') return { rung, available: true, reason: 'libtensorflow on the CPU', device: 'CPU (libtensorflow)' };
  const verdict = parseGpuLog(out.stderr);
  if (!verdict.gpu) return { rung, available: false, reason: verdict.reason };
  return {
    rung, available: true, reason: `GPU device registered: ${verdict.gpuName}`, device: verdict.device,
    gpuName: verdict.gpuName, ...(verdict.memoryMB != null ? { memoryMB: verdict.memoryMB } : {}),
  };
}

async function probeRung(rung: Rung, deps: LadderDeps): Promise<RungReport> {
  if (rung === 'tfjs-node-gpu' || rung === 'tfjs-node') {
    const pkg = PACKAGE[rung];
    const entry = deps.resolvePackage(pkg);
    if (entry == null) return { rung, available: false, reason: `package ${pkg} is not installed` };
    return nativeReport(rung, await deps.probeNative(pkg, entry));
  }
  if (rung === 'wasm') {
    // initWasm selects wasm; put back whatever was active so probing never switches backends.
    const previous = activeTfBackend();
    try {
      await deps.initWasm();
      return { rung, available: true, reason: 'WebAssembly (XNNPACK) with our training kernels, single thread', device: 'CPU (WebAssembly)' };
    } catch (err) {
      return { rung, available: false, reason: `WebAssembly backend failed to start: ${(err as Error).message}` };
    } finally {
      if (previous && previous !== 'wasm') await deps.setTfBackend(previous).catch(() => false);
    }
  }
  return { rung, available: true, reason: 'pure JavaScript; always works, very slow for convolutions', device: 'CPU (JavaScript)' };
}

function activeTfBackend(): string | null {
  return (tf.engine() as unknown as { backendName: string | null }).backendName ?? null;
}

/** Probes every rung, top to bottom, and says for each why it is (un)available. */
export async function probeRungs(deps: Partial<LadderDeps> = {}): Promise<RungReport[]> {
  const d = { ...defaultLadderDeps(), ...deps };
  const reports: RungReport[] = [];
  for (const rung of RUNGS) reports.push(await probeRung(rung, d));
  return reports;
}

/** The rung forced by TL_BACKEND (which wins) or the choice, or 'auto'; rejects unknown names. */
export function resolveChoice(choice: BackendChoice, env: Record<string, string | undefined>): { choice: BackendChoice; by: string } {
  const fromEnv = env.TL_BACKEND?.trim();
  if (fromEnv) {
    if (fromEnv !== 'auto' && !RUNGS.includes(fromEnv as Rung)) {
      throw new Error(`TL_BACKEND="${fromEnv}" is not a backend; use one of auto, ${RUNGS.join(', ')}`);
    }
    return { choice: fromEnv as BackendChoice, by: `TL_BACKEND=${fromEnv}` };
  }
  return { choice, by: 'the backend setting' };
}

/**
 * Probes the ladder, picks the rung (first available, or the forced one) and activates it in this
 * process. A forced rung that is unavailable is an error, never a silent fall-back.
 */
export async function selectBackend(choice: BackendChoice, deps: Partial<LadderDeps> = {}): Promise<BackendSelection> {
  const d = { ...defaultLadderDeps(), ...deps };
  const { choice: wanted, by } = resolveChoice(choice, d.env);
  const reports = await probeRungs(d);
  let picked: RungReport | undefined;
  if (wanted === 'auto') {
    picked = reports.find((r) => r.available);
  } else {
    picked = reports.find((r) => r.rung === wanted);
    if (!picked?.available) {
      throw new Error(`Backend '${wanted}' was forced by ${by} but is unavailable: ${picked?.reason ?? 'unknown rung'}`);
    }
  }
  if (!picked) throw new Error('No training backend is available'); // cpu always is; kept for safety
  await activate(picked.rung, d);
  return { rung: picked.rung, device: picked.device ?? picked.rung, reports };
}

async function activate(rung: Rung, d: LadderDeps): Promise<void> {
  if (rung === 'tfjs-node-gpu' || rung === 'tfjs-node') {
    const pkg = PACKAGE[rung];
    const entry = d.resolvePackage(pkg);
    if (entry == null) throw new Error(`package ${pkg} is not installed`);
    await d.loadNative(pkg, entry);
  } else if (rung === 'wasm') {
    await d.initWasm();
    return;
  }
  const ok = await d.setTfBackend(TF_BACKEND_NAME[rung]);
  if (!ok) throw new Error(`tfjs could not switch to the '${TF_BACKEND_NAME[rung]}' backend for rung ${rung}`);
}

/** The device panel's view: every rung, the one in use and what was forced. */
export function toDeviceReport(reports: RungReport[], active: Rung | null, forced: BackendChoice): DeviceReport {
  return { active, forced, rungs: reports };
}
