// The backend ladder: tfjs-node-gpu (a GPU device verified) → tfjs-node → wasm (+ our training
// kernels) → cpu. Every rung is probed and reported with the reason it is (un)available; the
// first available one is used unless TL_BACKEND or the user's setting forces one. tfjs-node-gpu
// that registers no GPU still serves the native-CPU rung when tfjs-node is missing or broken.
import * as tf from '@tensorflow/tfjs';
import type { BackendChoice as BackendChoiceSchema, DeviceReport, Rung, RungReport } from '../../contract/index.js';
import type { BackendSelection } from '../types.js';
import { missingGpuLibraries } from './gpu-log.js';
import { listGpuLibraries } from './gpu-machine.js';
import { loadNativeInProcess, resolveInstalledPackage, type NativePackage, type ProbeOutput } from './native.js';
import { defaultNativeProber, PROBE_LIMITS, type NativeProber } from './native-prober.js';
import { CPU_PACKAGE, cpuRungFromGpuPackage, cpuRungReport, GPU_PACKAGE, gpuPackageRanOnCpu, gpuRungReport } from './native-report.js';
import type { z } from 'zod';

export type BackendChoice = z.output<typeof BackendChoiceSchema>;
export const RUNGS: readonly Rung[] = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];
const TF_BACKEND_NAME: Record<Rung, string> = { 'tfjs-node-gpu': 'tensorflow', 'tfjs-node': 'tensorflow', 'window-gpu': 'webgl', wasm: 'wasm', cpu: 'cpu' };

/** Everything the ladder touches outside itself, so tests can fake module loading and device logs. */
export interface LadderDeps {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  resolvePackage(name: NativePackage): string | null;
  /** Loads the package in a child process and returns its output (libtensorflow logs on stderr). */
  probeNative(name: NativePackage, entry: string): Promise<ProbeOutput>;
  /** The CUDA / cuDNN libraries on disk, to tell an admin what is installed and where. */
  listGpuLibraries(): Promise<string>;
  /** Loads the package into this process (it registers the 'tensorflow' backend). */
  loadNative(name: NativePackage, entry: string): Promise<void>;
  /** Starts the wasm backend with our training kernels and selects it. */
  initWasm(): Promise<void>;
  /** Selects an already registered tfjs backend by name. */
  setTfBackend(name: string): Promise<boolean>;
}

// A native probe starts libtensorflow in a child process (seconds; with a first-start PTX compile,
// up to an hour); its answer is kept in memory and on disk until a refresh is asked for.
let prober: NativeProber | null = null;
const nativeProber = () => (prober ??= defaultNativeProber());
/** Forget earlier native probes (the device panel's "refresh"): the next probe really runs. */
export function clearProbeCache(): void {
  prober?.refresh();
}

export const defaultLadderDeps = (): LadderDeps => ({
  env: process.env,
  platform: process.platform,
  resolvePackage: resolveInstalledPackage,
  probeNative: (name, entry) => nativeProber().probe(name, entry),
  listGpuLibraries: () => listGpuLibraries(),
  loadNative: (_name, entry) => loadNativeInProcess(entry),
  initWasm: async () => (await import('../kernels/wasm-setup.js')).initWasmBackend(),
  setTfBackend: (name) => tf.setBackend(name),
});

/** Which package serves a native rung: tfjs-node-gpu also serves the CPU rung when it found no GPU. */
type NativeSource = { pkg: NativePackage; entry: string };
interface LadderProbe {
  reports: RungReport[];
  sources: Partial<Record<Rung, NativeSource>>;
}

async function probeNativeRungs(d: LadderDeps): Promise<LadderProbe> {
  const sources: LadderProbe['sources'] = {};
  const gpuEntry = d.resolvePackage(GPU_PACKAGE);
  const gpuOut = gpuEntry == null ? null : await d.probeNative(GPU_PACKAGE, gpuEntry);
  let gpu: RungReport = { rung: 'tfjs-node-gpu', available: false, reason: `package ${GPU_PACKAGE} is not installed` };
  if (gpuOut) {
    // Only a log that names missing libraries needs the listing (it says which CUDA is there instead).
    const listing = missingGpuLibraries(gpuOut.stderr).length > 0 ? await d.listGpuLibraries().catch(() => '') : '';
    gpu = gpuRungReport(gpuOut, { listing, platform: d.platform, jitLimitMs: PROBE_LIMITS[GPU_PACKAGE].jitTimeoutMs ?? 0 });
    if (gpu.available) sources['tfjs-node-gpu'] = { pkg: GPU_PACKAGE, entry: gpuEntry! };
  }
  const cpuEntry = d.resolvePackage(CPU_PACKAGE);
  let cpu = cpuRungReport(cpuEntry == null ? null : await d.probeNative(CPU_PACKAGE, cpuEntry));
  if (cpu.available) sources['tfjs-node'] = { pkg: CPU_PACKAGE, entry: cpuEntry! };
  else if (gpuEntry != null && gpuPackageRanOnCpu(gpuOut)) {
    // libtensorflow on the CPU is several times faster than wasm; tfjs-node-gpu without a GPU is just that.
    cpu = cpuRungFromGpuPackage(cpu);
    sources['tfjs-node'] = { pkg: GPU_PACKAGE, entry: gpuEntry };
  }
  return { reports: [gpu, cpu], sources };
}

async function probeWasm(d: LadderDeps): Promise<RungReport> {
  const rung = 'wasm';
  // initWasm selects wasm; put back whatever was active so probing never switches backends.
  const previous = activeTfBackend();
  try {
    await d.initWasm();
    return { rung, available: true, reason: 'WebAssembly (XNNPACK) with our training kernels, single thread', device: 'CPU (WebAssembly)' };
  } catch (err) {
    return { rung, available: false, reason: `WebAssembly backend failed to start: ${(err as Error).message}` };
  } finally {
    if (previous && previous !== 'wasm') await d.setTfBackend(previous).catch(() => false);
  }
}

function activeTfBackend(): string | null {
  return (tf.engine() as unknown as { backendName: string | null }).backendName ?? null;
}

async function probeLadder(d: LadderDeps): Promise<LadderProbe> {
  const native = await probeNativeRungs(d);
  const cpu: RungReport = { rung: 'cpu', available: true, reason: 'pure JavaScript; always works, very slow for convolutions', device: 'CPU (JavaScript)' };
  return { reports: [...native.reports, await probeWasm(d), cpu], sources: native.sources };
}

/** Probes every rung, top to bottom, and says for each why it is (un)available. */
export async function probeRungs(deps: Partial<LadderDeps> = {}): Promise<RungReport[]> {
  return (await probeLadder({ ...defaultLadderDeps(), ...deps })).reports;
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
  const { reports, sources } = await probeLadder(d);
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
  await activate(picked.rung, d, sources[picked.rung]);
  return { rung: picked.rung, device: picked.device ?? picked.rung, reports };
}

async function activate(rung: Rung, d: LadderDeps, source: NativeSource | undefined): Promise<void> {
  if (rung === 'tfjs-node-gpu' || rung === 'tfjs-node') {
    if (!source) throw new Error(`no installed package serves the ${rung} rung`);
    await d.loadNative(source.pkg, source.entry);
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
