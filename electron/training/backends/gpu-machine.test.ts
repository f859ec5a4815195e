import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listGpuLibraries, packageVersion, readGpuIdentity } from './gpu-machine.js';
import { parseLibraryListing } from './cuda-runtime.js';

const root = mkdtempSync(path.join(tmpdir(), 'tl-gpu-machine-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const touch = (file: string, text = '') => { mkdirSync(path.dirname(file), { recursive: true }); writeFileSync(file, text); };

describe('readGpuIdentity', () => {
  it("reads the driver version and each GPU's model and UUID from /proc/driver/nvidia", async () => {
    const proc = path.join(root, 'proc');
    touch(path.join(proc, 'driver/nvidia/version'), 'NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.14  Thu Feb 22 01:44:30 UTC 2024\nGCC version:  gcc version 12.3.0\n');
    touch(path.join(proc, 'driver/nvidia/gpus/0000:19:00.0/information'), 'Model: \t\t NVIDIA H100 80GB HBM3\nIRQ:   \t\t 16\nGPU UUID: \t GPU-5b0c1d2e\nVideo BIOS: \t 96.00.74.00.01\nBus Location: \t 0000:19:00.0\n');
    const id = await readGpuIdentity({ procRoot: proc, runNvidiaSmi: async () => { throw new Error('not called'); } });
    expect(id).toContain('550.54.14');
    expect(id).toContain('NVIDIA H100 80GB HBM3');
    expect(id).toContain('GPU-5b0c1d2e');
    expect(id).not.toContain('IRQ'); // what changes between boots stays out of the key
  });

  it('asks nvidia-smi where there is no /proc/driver/nvidia (Windows, WSL), and says when there is no driver', async () => {
    const none = path.join(root, 'no-proc');
    expect(await readGpuIdentity({ procRoot: none, runNvidiaSmi: async () => 'NVIDIA GeForce RTX 4090, GPU-77aa, 552.22\n' })).toBe('nvidia-smi: NVIDIA GeForce RTX 4090, GPU-77aa, 552.22');
    expect(await readGpuIdentity({ procRoot: none, runNvidiaSmi: async () => { throw new Error('ENOENT'); } })).toBe('no NVIDIA driver found');
  });
});

describe('listGpuLibraries', () => {
  it('lists the CUDA and cuDNN libraries of ldconfig, LD_LIBRARY_PATH and the CUDA install folders', async () => {
    const cuda11 = path.join(root, 'usr-local', 'cuda-11.2', 'lib64');
    const extra = path.join(root, 'extra');
    touch(path.join(cuda11, 'libcudart.so.11.0'));
    touch(path.join(cuda11, 'libnvToolsExt.so.1')); // not one we look for
    touch(path.join(extra, 'libcudnn.so.8'));
    const listing = await listGpuLibraries({
      env: { LD_LIBRARY_PATH: `${extra}:/does/not/exist` },
      platform: 'linux',
      cudaRoots: [path.join(root, 'usr-local')],
      runLdconfig: async () => '\tlibcudart.so.12 (libc6,x86-64) => /usr/local/cuda-12.4/lib64/libcudart.so.12\n\tlibc.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libc.so.6\n',
    });
    expect(parseLibraryListing(listing)).toEqual([
      { name: 'libcudart.so.12', dir: '/usr/local/cuda-12.4/lib64' },
      { name: 'libcudnn.so.8', dir: extra },
      { name: 'libcudart.so.11.0', dir: cuda11 },
    ]);
  });

  it('on Windows, lists the DLLs in PATH and the CUDA toolkit folders', async () => {
    const bin = path.join(root, 'win', 'v11.2', 'bin');
    touch(path.join(bin, 'cudart64_110.dll'));
    touch(path.join(bin, 'nvcc.exe'));
    const listing = await listGpuLibraries({ env: { PATH: '' }, platform: 'win32', cudaRoots: [path.join(root, 'win')], runLdconfig: async () => { throw new Error('not on Windows'); } });
    expect(parseLibraryListing(listing)).toEqual([{ name: 'cudart64_110.dll', dir: bin }]);
  });
});

describe('packageVersion', () => {
  it("reads the version of the package an entry file belongs to", () => {
    const pkg = path.join(root, 'node_modules', '@tensorflow', 'tfjs-node-gpu');
    touch(path.join(pkg, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node-gpu', version: '4.22.0' }));
    touch(path.join(pkg, 'dist', 'index.js'));
    expect(packageVersion(path.join(pkg, 'dist', 'index.js'), '@tensorflow/tfjs-node-gpu')).toBe('4.22.0');
    expect(packageVersion(path.join(root, 'elsewhere.js'), '@tensorflow/tfjs-node-gpu')).toBeNull();
  });
});
