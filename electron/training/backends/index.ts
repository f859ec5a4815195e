export { probeRungs, selectBackend, resolveChoice, RUNGS, defaultLadderDeps, clearProbeCache, toDeviceReport, type LadderDeps, type BackendChoice } from './ladder.js';
export { parseGpuLog, parseGpuRunFailure, describeMissingLibrary, type GpuLogVerdict } from './gpu-log.js';
export { cudaSetupAdvice } from './cuda-runtime.js';
export { patchUtilForTfjsNode, runNativeProbe, resolveInstalledPackage, type NativePackage, type ProbeOutput } from './native.js';
