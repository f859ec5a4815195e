import { describe, expect, it } from 'vitest';
import { parseGpuLog } from './gpu-log.js';
import { patchUtilForTfjsNode } from './native.js';

describe('parseGpuLog', () => {
  it('reads the GPU name and memory of a registered device', () => {
    const v = parseGpuLog('I gpu_device.cc:1532] Created device /job:localhost/replica:0/task:0/device:GPU:0 with 7423 MB memory:  -> device: 0, name: Tesla T4, pci bus id: 0000:00:04.0, compute capability: 7.5');
    expect(v).toEqual({ gpu: true, gpuName: 'Tesla T4', memoryMB: 7423, device: 'GPU:0 Tesla T4 (7423 MB)' });
  });
  it('names missing cuDNN alone', () => {
    const v = parseGpuLog("W dso_loader.cc:64] Could not load dynamic library 'libcudnn.so.8'; dlerror: ...\nSkipping registering GPU devices...");
    expect(v).toMatchObject({ gpu: false, reason: expect.stringMatching(/^cuDNN 8 libraries not found/) });
  });
  it('names Windows CUDA DLLs as CUDA 11', () => {
    const v = parseGpuLog("W dso_loader.cc:64] Could not load dynamic library 'cudart64_110.dll'; dlerror: cudart64_110.dll not found");
    expect(v).toMatchObject({ gpu: false, reason: expect.stringMatching(/^CUDA 11 libraries not found \(cudart64_110\.dll\)/) });
  });
  it('tells a machine without a GPU and a bare skip apart', () => {
    expect(parseGpuLog('E cuda_driver.cc:271] failed call to cuInit: CUDA_ERROR_NO_DEVICE: no CUDA-capable device is detected')).toEqual({ gpu: false, reason: 'no CUDA-capable GPU found' });
    expect(parseGpuLog('Skipping registering GPU devices...')).toMatchObject({ gpu: false, reason: expect.stringContaining('skipped registering GPU') });
    expect(parseGpuLog('')).toMatchObject({ gpu: false, reason: expect.stringContaining('no GPU device was registered') });
  });
});

describe('patchUtilForTfjsNode', () => {
  it('puts util.isNullOrUndefined back under Node ≥ 23 only', () => {
    const util23: Record<string, unknown> = {};
    expect(patchUtilForTfjsNode(util23, '23.1.0')).toBe(true);
    const fn = util23.isNullOrUndefined as (v: unknown) => boolean;
    expect([fn(null), fn(undefined), fn(0), fn('')]).toEqual([true, true, false, false]);
    const util20: Record<string, unknown> = {};
    expect(patchUtilForTfjsNode(util20, '20.20.2')).toBe(false);
    expect(util20.isNullOrUndefined).toBeUndefined();
  });
});
