import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createNativeProber, type NativeProberDeps } from './native-prober.js';
import { PROBE_MARKER, type ProbeLimits, type ProbeOutput } from './native.js';

const root = mkdtempSync(path.join(tmpdir(), 'tl-prober-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const gpuDir = path.join(root, 'node_modules', '@tensorflow', 'tfjs-node-gpu');
mkdirSync(path.join(gpuDir, 'dist'), { recursive: true });
writeFileSync(path.join(gpuDir, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node-gpu', version: '4.22.0' }));
const entry = path.join(gpuDir, 'dist', 'index.js');
writeFileSync(entry, '');

const output: ProbeOutput = { exitCode: 0, stdout: `${PROBE_MARKER} {}\n`, stderr: 'Created device /job:localhost/replica:0/task:0/device:GPU:0 with 79111 MB memory', timedOut: false };

/** One app start: a fresh prober over the same cache folder, counting how often it really probes. */
function start(cacheDir: string, over: Partial<NativeProberDeps> = {}) {
  const runs: ProbeLimits[] = [];
  const prober = createNativeProber({
    cacheDir, env: { LD_LIBRARY_PATH: '/usr/local/cuda-11.2/lib64' }, runtime: 'node 20 abi 115 linux x64',
    readGpuIdentity: async () => 'NVRM 550.54.14 | NVIDIA H100 80GB HBM3 | GPU-5b0c',
    listGpuLibraries: async () => 'libcudart.so.11.0 => /usr/local/cuda-11.2/lib64/libcudart.so.11.0',
    run: async (_entry, limits) => { runs.push(limits); return output; },
    ...over,
  });
  return { prober, runs };
}

describe('createNativeProber', () => {
  it('pays the probe once: a later start with the same package, driver and GPU reads the cache file', async () => {
    const cacheDir = path.join(root, 'cache-hit');
    const first = start(cacheDir);
    expect(await first.prober.probe('@tensorflow/tfjs-node-gpu', entry)).toEqual(output);
    expect(first.runs).toHaveLength(1);
    expect(existsSync(path.join(cacheDir, 'native-probe-tfjs-node-gpu.json'))).toBe(true);
    const later = start(cacheDir);
    expect(await later.prober.probe('@tensorflow/tfjs-node-gpu', entry)).toEqual(output);
    expect(later.runs).toHaveLength(0);
  });

  it('probes again after a driver update, a new library path or a device-panel refresh', async () => {
    const cacheDir = path.join(root, 'cache-miss');
    await start(cacheDir).prober.probe('@tensorflow/tfjs-node-gpu', entry);
    const newDriver = start(cacheDir, { readGpuIdentity: async () => 'NVRM 555.42.02 | NVIDIA H100 80GB HBM3 | GPU-5b0c' });
    await newDriver.prober.probe('@tensorflow/tfjs-node-gpu', entry);
    expect(newDriver.runs).toHaveLength(1);
    const newPath = start(cacheDir, { env: { LD_LIBRARY_PATH: '/opt/cuda-11.2/lib64' }, readGpuIdentity: async () => 'NVRM 555.42.02 | NVIDIA H100 80GB HBM3 | GPU-5b0c' });
    await newPath.prober.probe('@tensorflow/tfjs-node-gpu', entry);
    expect(newPath.runs).toHaveLength(1);
    newPath.prober.refresh();
    await newPath.prober.probe('@tensorflow/tfjs-node-gpu', entry);
    expect(newPath.runs).toHaveLength(2);
    await newPath.prober.probe('@tensorflow/tfjs-node-gpu', entry); // answered from memory again
    expect(newPath.runs).toHaveLength(2);
  });

  it('gives the GPU package a long limit for a first-start PTX compile, the CPU package none', async () => {
    let identityReads = 0;
    const s = start(path.join(root, 'cache-limits'), { readGpuIdentity: async () => { identityReads++; return 'NVRM 550.54.14'; } });
    await s.prober.probe('@tensorflow/tfjs-node-gpu', entry);
    await s.prober.probe('@tensorflow/tfjs-node', path.join(root, 'tfjs-node.js'));
    expect(s.runs[0].jitTimeoutMs).toBeGreaterThanOrEqual(30 * 60_000);
    expect(s.runs[1].jitTimeoutMs).toBeUndefined();
    expect(identityReads).toBe(1); // the CPU package does not depend on the GPU
  });

  it('still probes when the cache folder cannot be written', async () => {
    const file = path.join(root, 'a-file');
    writeFileSync(file, '');
    const s = start(path.join(file, 'cache')); // a folder below a file: mkdir fails
    expect(await s.prober.probe('@tensorflow/tfjs-node-gpu', entry)).toEqual(output);
    expect(s.runs).toHaveLength(1);
  });
});
