import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { probeRungs, selectBackend, type LadderDeps } from './ladder.js';
import { PROBE_MARKER, runNativeProbe, type NativePackage, type ProbeOutput } from './native.js';

// Real stderr of tfjs-node-gpu 4.22 (TensorFlow 2.9.1) in the two situations that matter.
const GPU_OK_LOG = `2024-05-01 10:00:00.000 I tensorflow/core/platform/cpu_feature_guard.cc:193] This TensorFlow binary is optimized with oneDNN
2024-05-01 10:00:01.000 I tensorflow/core/common_runtime/gpu/gpu_device.cc:1532] Created device /job:localhost/replica:0/task:0/device:GPU:0 with 10417 MB memory:  -> device: 0, name: NVIDIA GeForce RTX 3080, pci bus id: 0000:01:00.0, compute capability: 8.6
`;
const NO_CUDA_LOG = `2024-05-01 10:00:00.000 W tensorflow/stream_executor/platform/default/dso_loader.cc:64] Could not load dynamic library 'libcudart.so.11.0'; dlerror: libcudart.so.11.0: cannot open shared object file: No such file or directory
2024-05-01 10:00:00.100 W tensorflow/stream_executor/platform/default/dso_loader.cc:64] Could not load dynamic library 'libcudnn.so.8'; dlerror: libcudnn.so.8: cannot open shared object file: No such file or directory
2024-05-01 10:00:00.200 W tensorflow/core/common_runtime/gpu/gpu_device.cc:1850] Cannot dlopen some GPU libraries. Please make sure the missing libraries mentioned above are installed properly if you would like to use GPU.
Skipping registering GPU devices...
`;
const ok = (stderr: string): ProbeOutput => ({ exitCode: 0, stdout: `${PROBE_MARKER} {"backend":"tensorflow"}\n`, stderr, timedOut: false });

/** Fakes both native packages as installed, each probe answering with the given output. */
function fakeNative(outputs: Partial<Record<NativePackage, ProbeOutput | null>>, calls: string[] = []): Partial<LadderDeps> {
  return {
    env: {},
    resolvePackage: (name) => (outputs[name] ? `/fake/node_modules/${name}/index.js` : null),
    probeNative: async (name) => outputs[name]!,
    loadNative: async (name) => { calls.push(`load ${name}`); },
    initWasm: async () => { calls.push('initWasm'); },
    setTfBackend: async (name) => { calls.push(`set ${name}`); return true; },
  };
}

describe('backend ladder on this machine (real module detection)', () => {
  it('reports the missing native packages and falls to wasm with our kernels', async () => {
    await tf.setBackend('cpu');
    const reports = await probeRungs({ env: {} });
    expect(tf.getBackend()).toBe('cpu'); // probing never switches the active backend
    expect(reports.map((r) => r.rung)).toEqual(['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']);
    expect(reports[0]).toMatchObject({ available: false, reason: 'package @tensorflow/tfjs-node-gpu is not installed' });
    expect(reports[1]).toMatchObject({ available: false, reason: 'package @tensorflow/tfjs-node is not installed' });
    expect(reports[2].available).toBe(true);
    const sel = await selectBackend('auto', { env: {} });
    expect(sel.rung).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    // Our Conv2DBackpropFilter is what makes conv training possible on wasm.
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it('refuses a forced rung that is unavailable, naming the reason', async () => {
    await expect(selectBackend('auto', { env: { TL_BACKEND: 'tfjs-node-gpu' } })).rejects.toThrow(
      "Backend 'tfjs-node-gpu' was forced by TL_BACKEND=tfjs-node-gpu but is unavailable: package @tensorflow/tfjs-node-gpu is not installed",
    );
    await expect(selectBackend('tfjs-node', { env: {} })).rejects.toThrow('forced by the backend setting');
    await expect(selectBackend('auto', { env: { TL_BACKEND: 'cuda' } })).rejects.toThrow('TL_BACKEND="cuda" is not a backend');
  });

  it('TL_BACKEND=cpu wins over the setting', async () => {
    const sel = await selectBackend('wasm', { env: { TL_BACKEND: 'cpu' } });
    expect(sel.rung).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });
});

describe('backend ladder against faked native packages and device logs', () => {
  it('uses the GPU when libtensorflow registered a GPU device', async () => {
    const calls: string[] = [];
    const sel = await selectBackend('auto', fakeNative({ '@tensorflow/tfjs-node-gpu': ok(GPU_OK_LOG), '@tensorflow/tfjs-node': ok('') }, calls));
    expect(sel.rung).toBe('tfjs-node-gpu');
    expect(sel.reports[0]).toMatchObject({ available: true, gpuName: 'NVIDIA GeForce RTX 3080', memoryMB: 10417 });
    expect(sel.device).toBe('GPU:0 NVIDIA GeForce RTX 3080 (10417 MB)');
    expect(calls).toContain('load @tensorflow/tfjs-node-gpu');
    expect(calls.at(-1)).toBe('set tensorflow');
  });

  it('detects the silent CPU fall-back of tfjs-node-gpu and steps down to tfjs-node', async () => {
    const calls: string[] = [];
    const sel = await selectBackend('auto', fakeNative({ '@tensorflow/tfjs-node-gpu': ok(NO_CUDA_LOG), '@tensorflow/tfjs-node': ok('') }, calls));
    expect(sel.rung).toBe('tfjs-node');
    expect(sel.reports[0].available).toBe(false);
    expect(sel.reports[0].reason).toMatch(/^CUDA 11 libraries not found \(libcudart\.so\.11\.0, libcudnn\.so\.8\)/);
    expect(calls).toContain('load @tensorflow/tfjs-node');
    expect(calls).not.toContain('load @tensorflow/tfjs-node-gpu');
  });

  it('falls to wasm when the native packages are installed but broken, and to cpu when wasm fails too', async () => {
    const broken: ProbeOutput = { exitCode: 1, stdout: '', timedOut: false, stderr: 'Error: libtensorflow.so.2: cannot open shared object file: No such file or directory\n    at Module._extensions..node' };
    const deps = fakeNative({ '@tensorflow/tfjs-node-gpu': { ...broken, stderr: 'Skipping registering GPU devices...' }, '@tensorflow/tfjs-node': broken });
    const reports = await probeRungs(deps);
    expect(reports[0].reason).toMatch(/installed but failed to load/);
    expect(reports[1].reason).toBe('@tensorflow/tfjs-node is installed but failed to load: Error: libtensorflow.so.2: cannot open shared object file: No such file or directory');
    expect(reports[2].available).toBe(true);
    const noWasm = { ...deps, initWasm: async () => { throw new Error('WebAssembly.instantiate(): out of memory'); } };
    const sel = await selectBackend('auto', noWasm);
    expect(sel.rung).toBe('cpu');
    expect(sel.reports[2].reason).toBe('WebAssembly backend failed to start: WebAssembly.instantiate(): out of memory');
  });

  it('reports a hung native probe', async () => {
    const reports = await probeRungs(fakeNative({ '@tensorflow/tfjs-node-gpu': { exitCode: null, stdout: '', stderr: '', timedOut: true } }));
    expect(reports[0].reason).toBe('@tensorflow/tfjs-node-gpu did not start within the time limit');
  });
});

describe('runNativeProbe (a real child process)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tl-probe-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('captures what the package logs while it loads, and the op it ran', async () => {
    // Stands in for a tfjs-node-gpu build: writes libtensorflow-style logs and answers the op.
    const entry = path.join(dir, 'fake-gpu.cjs');
    writeFileSync(entry, `process.stderr.write(${JSON.stringify(NO_CUDA_LOG)});
const t = { dataSync: () => [16] };
module.exports = { ones: () => t, matMul: () => t, getBackend: () => 'tensorflow' };`);
    const out = await runNativeProbe(entry, 20_000);
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toContain(PROBE_MARKER);
    const reports = await probeRungs({ ...fakeNative({}), resolvePackage: (n) => (n === '@tensorflow/tfjs-node-gpu' ? entry : null), probeNative: (_n, e) => runNativeProbe(e, 20_000) });
    expect(reports[0].reason).toMatch(/^CUDA 11 libraries not found/);
  });

  it('reports a package that throws while loading', async () => {
    const entry = path.join(dir, 'broken.cjs');
    writeFileSync(entry, `throw new Error("The specified module could not be found. tfjs_binding.node");`);
    const out = await runNativeProbe(entry, 20_000);
    expect(out.exitCode).not.toBe(0);
    expect(out.stdout).not.toContain(PROBE_MARKER);
    expect(out.stderr).toContain('tfjs_binding.node');
  });
});
