// The native probe's answer, kept on disk between starts. On a GPU newer than libtensorflow 2.9.1 the
// first probe compiles CUDA kernels from PTX (up to half an hour); later starts read the answer here.
// The key names everything the answer depends on: the package and its version, the driver and GPUs,
// the CUDA libraries on disk and the variables that steer the loader. Change any and it is probed anew.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PROBE_MARKER, type NativePackage, type ProbeOutput } from './native.js';

export interface ProbeIdentity {
  package: NativePackage;
  version: string | null;
  entry: string;
  /** Driver version and each GPU's model and UUID. */
  gpu: string;
  /** The CUDA / cuDNN libraries found on disk (see listGpuLibraries). */
  libraries: string;
  /** LD_LIBRARY_PATH, PATH (Windows), CUDA_VISIBLE_DEVICES, …: what decides which GPU and libraries load. */
  env: Record<string, string | undefined>;
  /** Node version, ABI, platform and architecture: the native binding depends on them. */
  runtime: string;
}

/** A stable digest of the identity; object key order does not matter. */
export function probeCacheKey(identity: ProbeIdentity): string {
  const env = Object.fromEntries(Object.entries(identity.env).filter(([, v]) => v != null).sort(([a], [b]) => a.localeCompare(b)));
  const stable = JSON.stringify([identity.package, identity.version, identity.entry, identity.gpu, identity.libraries, env, identity.runtime]);
  return createHash('sha256').update(stable).digest('hex');
}

/** One file per package in the cache folder. */
export function probeCacheFile(dir: string, pkg: NativePackage): string {
  return path.join(dir, `native-probe-${pkg.replace(/^@tensorflow\//, '')}.json`);
}

/** The user's cache folder of each platform (the probe answer is the machine's, not a data set's). */
export function defaultProbeCacheDir(env: Record<string, string | undefined>, platform: NodeJS.Platform, home: string): string {
  if (platform === 'win32') return path.win32.join(env.LOCALAPPDATA ?? path.win32.join(home, 'AppData', 'Local'), 'transfer-lab', 'Cache');
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Caches', 'transfer-lab');
  return path.posix.join(env.XDG_CACHE_HOME || path.posix.join(home, '.cache'), 'transfer-lab');
}

/** Only a probe that ran its ops to the end is worth keeping; a crash or time-out is tried again. */
export function isCompletedProbe(out: ProbeOutput): boolean {
  return out.exitCode === 0 && !out.timedOut && out.stdout.includes(PROBE_MARKER);
}

function isProbeOutput(v: unknown): v is ProbeOutput {
  const o = v as ProbeOutput | null;
  return !!o && typeof o === 'object' && typeof o.exitCode === 'number' && typeof o.stdout === 'string' && typeof o.stderr === 'string' && typeof o.timedOut === 'boolean';
}

async function readEntry(file: string, key: string): Promise<ProbeOutput | null> {
  try {
    const record = JSON.parse(await readFile(file, 'utf8')) as { key?: unknown; output?: unknown };
    return record.key === key && isProbeOutput(record.output) ? record.output : null;
  } catch {
    return null; // absent or unreadable: probe
  }
}

async function writeEntry(file: string, key: string, output: ProbeOutput): Promise<void> {
  try {
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`; // whole file or none: another worker may be reading
    await writeFile(tmp, JSON.stringify({ key, savedAt: new Date().toISOString(), output }));
    await rename(tmp, file);
  } catch {
    // The cache only saves time; a read-only home folder must not stop training.
  }
}

/** The stored answer for `key`, or a fresh probe (stored when it ran to the end). */
export async function cachedProbe(opts: { file: string; key: string; refresh: boolean; run: () => Promise<ProbeOutput> }): Promise<{ output: ProbeOutput; cached: boolean }> {
  if (!opts.refresh) {
    const hit = await readEntry(opts.file, opts.key);
    if (hit) return { output: hit, cached: true };
  }
  const output = await opts.run();
  if (isCompletedProbe(output)) await writeEntry(opts.file, opts.key, output);
  return { output, cached: false };
}
