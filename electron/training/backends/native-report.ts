// Turns a native probe's output into the device panel's line for a rung: available or not, and why,
// in words a student or lab admin can act on. Pure, so every recorded log is a test case.
import type { RungReport } from '../../contract/index.js';
import { cudaSetupAdvice } from './cuda-runtime.js';
import { missingGpuLibraries, parseGpuLog, parseGpuRunFailure, ptxJitCapability } from './gpu-log.js';
import { lastErrorLine, lastProbeStep, type ProbeOutput } from './native.js';
import { isCompletedProbe } from './probe-cache.js';

export const GPU_PACKAGE = '@tensorflow/tfjs-node-gpu';
export const CPU_PACKAGE = '@tensorflow/tfjs-node';
const FALLS_BACK = 'training uses the next rung meanwhile';

export interface GpuReportContext {
  /** The CUDA / cuDNN libraries on disk (listGpuLibraries); only read when libraries are missing. */
  listing: string;
  platform: NodeJS.Platform;
  /** The probe's limit for a PTX compile, to name it when it ran out. */
  jitLimitMs: number;
}

const unavailable = (reason: string): RungReport => ({ rung: 'tfjs-node-gpu', available: false, reason });

/** The GPU rung: the GPU must be registered *and* the probe's matMul, conv2d and gradient must have run. */
export function gpuRungReport(out: ProbeOutput, ctx: GpuReportContext): RungReport {
  const jit = ptxJitCapability(out.stderr);
  if (out.timedOut) {
    if (!jit) return unavailable(`${GPU_PACKAGE} did not start within the time limit`);
    return unavailable([
      `compiling the GPU kernels for compute capability ${jit} from PTX did not finish within ${Math.round(ctx.jitLimitMs / 60_000)} minutes; ${FALLS_BACK}.`,
      `This GPU is newer than the ones TensorFlow 2.9.1 (tfjs-node-gpu 4.22) ships kernels for, so CUDA compiles them on the first start and keeps them in its cache (${ctx.platform === 'win32' ? '%APPDATA%\\NVIDIA\\ComputeCache' : '~/.nv/ComputeCache'}).`,
      'Press Probe again to continue: the kernels compiled so far are kept. Once a probe finishes, later starts skip it.',
    ].join('\n'));
  }
  if (!isCompletedProbe(out)) return failedGpuProbe(out);
  const verdict = parseGpuLog(out.stderr);
  if (!verdict.gpu) {
    const advice = cudaSetupAdvice({ missing: missingGpuLibraries(out.stderr), listing: ctx.listing, platform: ctx.platform });
    return unavailable(advice ?? verdict.reason);
  }
  const compiled = jit ? ` (compute capability ${jit} is newer than TensorFlow 2.9.1's kernels: they were compiled from PTX on the first start and CUDA keeps them for later starts)` : '';
  return {
    rung: 'tfjs-node-gpu', available: true, reason: `GPU device registered: ${verdict.gpuName}${compiled}`, device: verdict.device,
    gpuName: verdict.gpuName, ...(verdict.memoryMB != null ? { memoryMB: verdict.memoryMB } : {}),
  };
}

function failedGpuProbe(out: ProbeOutput): RungReport {
  const failure = parseGpuRunFailure(out.stderr);
  const step = lastProbeStep(out.stdout);
  const during = step && step !== 'load' ? ` while running ${step}` : '';
  if (!failure) {
    if (during) return unavailable(`${GPU_PACKAGE} failed${during}: ${lastErrorLine(out.stderr)}`);
    return unavailable(`${GPU_PACKAGE} is installed but failed to load: ${lastErrorLine(out.stderr)}`);
  }
  const device = parseGpuLog(out.stderr);
  const found = device.gpu ? `the GPU (${device.gpuName}) was found, but ` : '';
  const lines = [`${found}${failure}${during}; ${FALLS_BACK}`];
  // cuDNN 8 opens the driver as plain libcuda.so, which WSL and some driver packages only provide as
  // libcuda.so.1 outside the loader's search path.
  if (/libcuda\.so[:\s]/.test(failure)) {
    lines.push('cuDNN looks for the driver library as libcuda.so: add the folder holding it (on WSL, /usr/lib/wsl/lib) to LD_LIBRARY_PATH before starting the app.');
  }
  return unavailable(lines.join('\n'));
}

/** True when tfjs-node-gpu ran the whole probe on the CPU because no GPU registered. */
export function gpuPackageRanOnCpu(out: ProbeOutput | null): boolean {
  return out != null && isCompletedProbe(out) && !parseGpuLog(out.stderr).gpu;
}

/** The native-CPU rung from tfjs-node's own probe (null: not installed). */
export function cpuRungReport(out: ProbeOutput | null): RungReport {
  const rung = 'tfjs-node';
  if (out == null) return { rung, available: false, reason: `package ${CPU_PACKAGE} is not installed` };
  if (out.timedOut) return { rung, available: false, reason: `${CPU_PACKAGE} did not start within the time limit` };
  if (!isCompletedProbe(out)) {
    const step = lastProbeStep(out.stdout);
    const what = step && step !== 'load' ? `failed while running ${step}` : 'is installed but failed to load';
    return { rung, available: false, reason: `${CPU_PACKAGE} ${what}: ${lastErrorLine(out.stderr)}` };
  }
  return { rung, available: true, reason: 'libtensorflow on the CPU', device: 'CPU (libtensorflow)' };
}

/** The native-CPU rung served by tfjs-node-gpu, saying why tfjs-node itself is not used. */
export function cpuRungFromGpuPackage(tfjsNode: RungReport): RungReport {
  const why = tfjsNode.reason
    .replace(/^package (\S+) is not installed$/, '$1 is not installed')
    .replace(/ is installed but failed to load:/, ' failed to load:');
  return { rung: 'tfjs-node', available: true, reason: `libtensorflow on the CPU through ${GPU_PACKAGE}, which found no usable GPU (${why})`, device: 'CPU (libtensorflow)' };
}
