// Runs the native probe at most once per app start, and once per machine setup across starts: the
// answer is kept in memory and in the probe cache file (see probe-cache.ts) until something it
// depends on changes or the device panel asks for a fresh probe.
import { homedir } from 'node:os';
import { defaultProbeCacheDir, cachedProbe, probeCacheFile, probeCacheKey } from './probe-cache.js';
import { listGpuLibraries, packageVersion, readGpuIdentity } from './gpu-machine.js';
import { runNativeProbe, type NativePackage, type ProbeLimits, type ProbeOutput } from './native.js';

// Loading libtensorflow takes seconds, CUDA start-up more on a machine with several GPUs. A GPU newer
// than TensorFlow 2.9.1 makes it compile its kernels from PTX first ("could take 30 minutes or
// longer", says TensorFlow): the long limit starts only once TensorFlow has logged that it does.
export const PROBE_LIMITS: Record<NativePackage, ProbeLimits> = {
  '@tensorflow/tfjs-node': { timeoutMs: 90_000 },
  '@tensorflow/tfjs-node-gpu': { timeoutMs: 180_000, jitTimeoutMs: 60 * 60_000 },
};

// What decides which GPU and which libraries libtensorflow loads.
const LOADER_VARS = ['LD_LIBRARY_PATH', 'CUDA_VISIBLE_DEVICES', 'CUDA_HOME', 'CUDA_PATH', 'TF_FORCE_GPU_ALLOW_GROWTH'];

export interface NativeProberDeps {
  cacheDir: string;
  env: Record<string, string | undefined>;
  /** Node version, ABI, platform and architecture. */
  runtime: string;
  readGpuIdentity(): Promise<string>;
  listGpuLibraries(): Promise<string>;
  run(entry: string, limits: ProbeLimits): Promise<ProbeOutput>;
}

export interface NativeProber {
  probe(name: NativePackage, entry: string): Promise<ProbeOutput>;
  /** Forget every answer: the next probe of each package really runs (the device panel's refresh). */
  refresh(): void;
}

export function createNativeProber(deps: NativeProberDeps): NativeProber {
  const memory = new Map<string, Promise<ProbeOutput>>();
  const stale = new Set<NativePackage>();

  async function probeOnce(name: NativePackage, entry: string): Promise<ProbeOutput> {
    const windows = process.platform === 'win32';
    const env = Object.fromEntries([...LOADER_VARS, ...(windows ? ['PATH'] : [])].map((k) => [k, deps.env[k]]));
    // Only the GPU package depends on the driver and the CUDA libraries; the CPU one bundles its own.
    const forGpu = name === '@tensorflow/tfjs-node-gpu';
    const [gpu, libraries] = forGpu ? await Promise.all([deps.readGpuIdentity(), deps.listGpuLibraries()]) : ['', ''];
    const key = probeCacheKey({ package: name, version: packageVersion(entry, name), entry, gpu, libraries, env, runtime: deps.runtime });
    const refresh = stale.delete(name);
    const { output } = await cachedProbe({ file: probeCacheFile(deps.cacheDir, name), key, refresh, run: () => deps.run(entry, PROBE_LIMITS[name]) });
    return output;
  }

  return {
    probe(name, entry) {
      let p = memory.get(entry);
      if (!p) {
        p = probeOnce(name, entry);
        memory.set(entry, p);
      }
      return p;
    },
    refresh() {
      memory.clear();
      for (const name of Object.keys(PROBE_LIMITS) as NativePackage[]) stale.add(name);
    },
  };
}

/** The prober of a real app start: the user's cache folder, this machine's driver and libraries. */
export function defaultNativeProber(): NativeProber {
  return createNativeProber({
    cacheDir: defaultProbeCacheDir(process.env, process.platform, homedir()),
    env: process.env,
    runtime: `node ${process.versions.node} abi ${process.versions.modules} ${process.platform} ${process.arch}`,
    readGpuIdentity: () => readGpuIdentity(),
    listGpuLibraries: () => listGpuLibraries(),
    run: (entry, limits) => runNativeProbe(entry, limits),
  });
}
