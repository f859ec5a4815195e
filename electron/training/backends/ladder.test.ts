import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
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

// A stand-in for the tfjs API the probe calls, answering what the real ops give for its inputs.
const FAKE_TF_OPS = `const t = (v) => ({ dataSync: () => [v] });
const conv2d = (x, f) => { if (globalThis.FAIL_CONV) throw new Error(globalThis.FAIL_CONV); return t(12); };
module.exports = { ones: () => t(1), matMul: () => t(16), conv2d, sum: (x) => x,
  grads: (fn) => (args) => { fn(...args); return [t(16), t(49)]; }, getBackend: () => 'tensorflow' };`;

/** Fakes both native packages as installed, each probe answering with the given output. */
function fakeNative(outputs: Partial<Record<NativePackage, ProbeOutput | null>>, calls: string[] = []): Partial<LadderDeps> {
  return {
    env: {},
    platform: 'linux',
    listGpuLibraries: async () => '',
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

// An Ubuntu machine with the CUDA 12.4 toolkit and cuDNN 9 only (ldconfig -p).
const CUDA12_LDCONFIG = `\tlibcudnn.so.9 (libc6,x86-64) => /lib/x86_64-linux-gnu/libcudnn.so.9
\tlibcudart.so.12 (libc6,x86-64) => /usr/local/cuda-12.4/targets/x86_64-linux/lib/libcudart.so.12
\tlibcuda.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libcuda.so.1
`;
const CUDNN_HANDLE_LOG = `I gpu_device.cc:1532] Created device /job:localhost/replica:0/task:0/device:GPU:0 with 7423 MB memory:  -> device: 0, name: Tesla T4, pci bus id: 0000:00:04.0, compute capability: 7.5
E tensorflow/stream_executor/cuda/cuda_dnn.cc:389] Could not create cudnn handle: CUDNN_STATUS_INTERNAL_ERROR
`;
const CUDNN_CNN_INFER_LOG = `I gpu_device.cc:1532] Created device /job:localhost/replica:0/task:0/device:GPU:0 with 14783 MB memory:  -> device: 0, name: Tesla T4, pci bus id: 0000:00:04.0, compute capability: 7.5
Could not load library libcudnn_cnn_infer.so.8. Error: libcuda.so: cannot open shared object file: No such file or directory
Please make sure libcudnn_cnn_infer.so.8 is in your library path!
`;
const PTX_JIT_LOG = `W tensorflow/core/common_runtime/gpu/gpu_device.cc:1850] TensorFlow was not built with CUDA kernel binaries compatible with compute capability 9.0. CUDA kernels will be jit-compiled from PTX, which could take 30 minutes or longer.
I gpu_device.cc:1532] Created device /job:localhost/replica:0/task:0/device:GPU:0 with 79111 MB memory:  -> device: 0, name: NVIDIA H100 80GB HBM3, pci bus id: 0000:19:00.0, compute capability: 9.0
`;
const steps = (...names: string[]) => names.map((n) => `TL_PROBE_STEP ${n}\n`).join('');

describe('GPU rung: what the user is told, and where training goes meanwhile', () => {
  it('on a CUDA 12 machine, says CUDA 11.2 + cuDNN 8.1 are needed beside it and how to point the app at them', async () => {
    const deps = { ...fakeNative({ '@tensorflow/tfjs-node-gpu': ok(NO_CUDA_LOG), '@tensorflow/tfjs-node': ok('') }), listGpuLibraries: async () => CUDA12_LDCONFIG };
    const sel = await selectBackend('auto', deps);
    expect(sel.rung).toBe('tfjs-node');
    const [first, ...guidance] = sel.reports[0].reason.split('\n');
    expect(first).toBe('CUDA 12 is installed, but tfjs-node-gpu 4.22 (TensorFlow 2.9.1) needs the CUDA 11.2 and cuDNN 8.1 runtime libraries, which were not found (libcudart.so.11.0, libcudnn.so.8); training uses the next rung meanwhile.');
    expect(guidance.join(' ')).toMatch(/beside CUDA 12.*they can coexist/);
    expect(guidance.join(' ')).toMatch(/set LD_LIBRARY_PATH to the folders holding libcudart\.so\.11\.0 and libcudnn\.so\.8 before starting the app/);
    // Forcing the GPU gives the same guidance instead of a silent fall-back.
    await expect(selectBackend('auto', { ...deps, env: { TL_BACKEND: 'tfjs-node-gpu' } })).rejects.toThrow(/forced by TL_BACKEND=tfjs-node-gpu but is unavailable: CUDA 12 is installed/);
  });

  it('a cuDNN failure in the conv2d probe steps down to the next rung instead of failing the first run', async () => {
    const calls: string[] = [];
    const crashed: ProbeOutput = { exitCode: 134, stdout: steps('load', 'matMul', 'conv2d'), stderr: `${CUDNN_CNN_INFER_LOG}Aborted (core dumped)\n`, timedOut: false };
    const sel = await selectBackend('auto', fakeNative({ '@tensorflow/tfjs-node-gpu': crashed, '@tensorflow/tfjs-node': ok('') }, calls));
    expect(sel.rung).toBe('tfjs-node');
    expect(sel.reports[0].available).toBe(false);
    const [first, hint] = sel.reports[0].reason.split('\n');
    expect(first).toBe('the GPU (Tesla T4) was found, but cuDNN could not load libcudnn_cnn_infer.so.8 (libcuda.so: cannot open shared object file: No such file or directory) while running conv2d; training uses the next rung meanwhile');
    expect(hint).toMatch(/add the folder holding it \(on WSL, \/usr\/lib\/wsl\/lib\) to LD_LIBRARY_PATH before starting the app/);
    expect(calls).not.toContain('load @tensorflow/tfjs-node-gpu');
  });

  it('a GPU whose conv2d fails is not offered as the native-CPU rung either (it would pick the GPU again)', async () => {
    const failed: ProbeOutput = { exitCode: 1, stdout: steps('load', 'matMul', 'conv2d', 'conv2d gradient'), stderr: CUDNN_HANDLE_LOG, timedOut: false };
    const sel = await selectBackend('auto', fakeNative({ '@tensorflow/tfjs-node-gpu': failed }));
    expect(sel.reports[0].reason).toMatch(/cuDNN failed to start \(CUDNN_STATUS_INTERNAL_ERROR\) while running conv2d gradient/);
    expect(sel.reports[1]).toMatchObject({ available: false, reason: 'package @tensorflow/tfjs-node is not installed' });
    expect(sel.rung).toBe('wasm');
  });

  it('names a first-start PTX compile on a GPU newer than the library, and a compile that ran out of time', async () => {
    const sel = await selectBackend('auto', fakeNative({ '@tensorflow/tfjs-node-gpu': ok(PTX_JIT_LOG) }));
    expect(sel.rung).toBe('tfjs-node-gpu');
    expect(sel.reports[0].reason).toBe('GPU device registered: NVIDIA H100 80GB HBM3 (compute capability 9.0 is newer than TensorFlow 2.9.1\'s kernels: they were compiled from PTX on the first start and CUDA keeps them for later starts)');
    const slow: ProbeOutput = { exitCode: null, stdout: steps('load', 'matMul'), stderr: PTX_JIT_LOG, timedOut: true };
    const reports = await probeRungs(fakeNative({ '@tensorflow/tfjs-node-gpu': slow }));
    expect(reports[0].available).toBe(false);
    expect(reports[0].reason).toMatch(/^compiling the GPU kernels for compute capability 9\.0 from PTX did not finish within \d+ minutes; training uses the next rung meanwhile/);
    expect(reports[0].reason).toMatch(/Probe again/);
  });
});

describe('native-CPU rung from tfjs-node-gpu when no GPU registers', () => {
  it('uses tfjs-node-gpu as the native-CPU rung instead of dropping to wasm, and says so', async () => {
    const calls: string[] = [];
    const sel = await selectBackend('auto', fakeNative({ '@tensorflow/tfjs-node-gpu': ok(NO_CUDA_LOG) }, calls));
    expect(sel.rung).toBe('tfjs-node');
    expect(sel.device).toBe('CPU (libtensorflow)');
    expect(sel.reports[1]).toMatchObject({ available: true, reason: 'libtensorflow on the CPU through @tensorflow/tfjs-node-gpu, which found no usable GPU (@tensorflow/tfjs-node is not installed)' });
    expect(calls.slice(-2)).toEqual(['load @tensorflow/tfjs-node-gpu', 'set tensorflow']);
    expect(calls).not.toContain('load @tensorflow/tfjs-node');
  });

  it('prefers tfjs-node where it works, and takes tfjs-node-gpu where tfjs-node is broken', async () => {
    const calls: string[] = [];
    await selectBackend('auto', fakeNative({ '@tensorflow/tfjs-node-gpu': ok(NO_CUDA_LOG), '@tensorflow/tfjs-node': ok('') }, calls));
    expect(calls).toContain('load @tensorflow/tfjs-node');
    const broken: ProbeOutput = { exitCode: 1, stdout: '', timedOut: false, stderr: 'Error: libtensorflow.so.2: cannot open shared object file' };
    const sel = await selectBackend('auto', fakeNative({ '@tensorflow/tfjs-node-gpu': ok(NO_CUDA_LOG), '@tensorflow/tfjs-node': broken }));
    expect(sel.reports[1].reason).toMatch(/^libtensorflow on the CPU through @tensorflow\/tfjs-node-gpu, which found no usable GPU \(@tensorflow\/tfjs-node failed to load: Error: libtensorflow\.so\.2/);
  });

  it('TL_BACKEND=tfjs-node takes it too', async () => {
    const calls: string[] = [];
    const sel = await selectBackend('auto', { ...fakeNative({ '@tensorflow/tfjs-node-gpu': ok('Skipping registering GPU devices...') }, calls), env: { TL_BACKEND: 'tfjs-node' } });
    expect(sel.rung).toBe('tfjs-node');
    expect(calls).toContain('load @tensorflow/tfjs-node-gpu');
  });
});

describe('runNativeProbe (a real child process)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tl-probe-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('captures what the package logs while it loads, and the op it ran', async () => {
    // Stands in for a tfjs-node-gpu build: writes libtensorflow-style logs and answers the op.
    const entry = path.join(dir, 'fake-gpu.cjs');
    writeFileSync(entry, `process.stderr.write(${JSON.stringify(NO_CUDA_LOG)});
${FAKE_TF_OPS}`);
    const out = await runNativeProbe(entry, 20_000);
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toContain(PROBE_MARKER);
    const reports = await probeRungs({ ...fakeNative({}), resolvePackage: (n) => (n === '@tensorflow/tfjs-node-gpu' ? entry : null), probeNative: (_n, e) => runNativeProbe(e, 20_000) });
    expect(reports[0].reason).toMatch(/^CUDA 11 libraries not found/);
  });

  it('the probe ops and their expected answers agree with the real tfjs kernels', async () => {
    // Real tfjs (cpu backend) stands in for libtensorflow: same API, same maths.
    const entry = path.join(dir, 'real-tfjs.cjs');
    writeFileSync(entry, `const tf = require(${JSON.stringify(createRequire(import.meta.url).resolve('@tensorflow/tfjs'))});
tf.setBackend('cpu');
module.exports = tf;`);
    const out = await runNativeProbe(entry, 60_000);
    expect(out.stdout).toContain(`${PROBE_MARKER} {"backend":"cpu","matMul":16,"conv2d":12,"gradient":[16,49]}`);
    expect(out.exitCode).toBe(0);
  });

  it('runs a conv2d and its gradient, so a cuDNN failure there is caught before any training', async () => {
    const entry = path.join(dir, 'fake-cudnn.cjs');
    writeFileSync(entry, `process.stderr.write(${JSON.stringify(CUDNN_HANDLE_LOG)});
globalThis.FAIL_CONV = 'Failed to get convolution algorithm. This is probably because cuDNN failed to initialize';
${FAKE_TF_OPS}`);
    const out = await runNativeProbe(entry, 20_000);
    expect(out.stdout).not.toContain(PROBE_MARKER);
    expect(out.stdout).toContain('TL_PROBE_STEP conv2d');
    const reports = await probeRungs({ ...fakeNative({}), resolvePackage: (n) => (n === '@tensorflow/tfjs-node-gpu' ? entry : null), probeNative: async () => out });
    expect(reports[0]).toMatchObject({ available: false, reason: 'the GPU (Tesla T4) was found, but cuDNN failed to start (CUDNN_STATUS_INTERNAL_ERROR) while running conv2d; training uses the next rung meanwhile' });
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
