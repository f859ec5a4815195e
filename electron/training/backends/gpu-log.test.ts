import { describe, expect, it } from 'vitest';
import { missingGpuLibraries, parseGpuLog, parseGpuRunFailure, ptxJitCapability } from './gpu-log.js';
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

// Recorded stderr of TensorFlow 2.9.1 when the GPU registers but cuDNN fails at the first convolution.
const CUDNN_CNN_INFER_LOG = `I gpu_device.cc:1532] Created device /job:localhost/replica:0/task:0/device:GPU:0 with 14783 MB memory:  -> device: 0, name: Tesla T4, pci bus id: 0000:00:04.0, compute capability: 7.5
Could not load library libcudnn_cnn_infer.so.8. Error: libcuda.so: cannot open shared object file: No such file or directory
Please make sure libcudnn_cnn_infer.so.8 is in your library path!
`;
const CUDNN_HANDLE_LOG = `I gpu_device.cc:1532] Created device /job:localhost/replica:0/task:0/device:GPU:0 with 7423 MB memory:  -> device: 0, name: Tesla T4, pci bus id: 0000:00:04.0, compute capability: 7.5
E tensorflow/stream_executor/cuda/cuda_dnn.cc:389] Could not create cudnn handle: CUDNN_STATUS_INTERNAL_ERROR
E tensorflow/stream_executor/cuda/cuda_dnn.cc:398] Possibly insufficient driver version: 470.57.2
Error: Failed to get convolution algorithm. This is probably because cuDNN failed to initialize, so try looking to see if a warning log message was printed above.
`;
const CUDNN_VERSION_LOG = `E tensorflow/stream_executor/cuda/cuda_dnn.cc:361] Loaded runtime CuDNN library: 8.0.4 but source was compiled with: 8.1.0.  CuDNN library needs to have matching major version and equal or higher minor version.
`;
const PTX_JIT_LOG = `W tensorflow/core/common_runtime/gpu/gpu_device.cc:1850] TensorFlow was not built with CUDA kernel binaries compatible with compute capability 9.0. CUDA kernels will be jit-compiled from PTX, which could take 30 minutes or longer.
I gpu_device.cc:1532] Created device /job:localhost/replica:0/task:0/device:GPU:0 with 79111 MB memory:  -> device: 0, name: NVIDIA H100 80GB HBM3, pci bus id: 0000:19:00.0, compute capability: 9.0
`;

describe('parseGpuRunFailure', () => {
  it('names a cuDNN sub-library that could not be loaded', () => {
    expect(parseGpuRunFailure(CUDNN_CNN_INFER_LOG)).toBe('cuDNN could not load libcudnn_cnn_infer.so.8 (libcuda.so: cannot open shared object file: No such file or directory)');
  });
  it('names the CUDNN_STATUS of a failed handle', () => {
    expect(parseGpuRunFailure(CUDNN_HANDLE_LOG)).toBe('cuDNN failed to start (CUDNN_STATUS_INTERNAL_ERROR)');
  });
  it('names a cuDNN version that does not match the build', () => {
    expect(parseGpuRunFailure(CUDNN_VERSION_LOG)).toBe('cuDNN 8.0.4 is installed but TensorFlow 2.9.1 needs cuDNN 8.1 or a later 8.x');
  });
  it('recognises kernels that cannot run on the GPU and a GPU out of memory', () => {
    expect(parseGpuRunFailure("E cuda_driver.cc] failed to load PTX: CUDA_ERROR_INVALID_PTX")).toMatch(/^the GPU cannot run TensorFlow 2\.9\.1's kernels \(CUDA_ERROR_INVALID_PTX\)/);
    expect(parseGpuRunFailure('E gpu_device.cc] failed to allocate 14.4G: CUDA_ERROR_OUT_OF_MEMORY: out of memory')).toBe('the GPU ran out of memory (CUDA_ERROR_OUT_OF_MEMORY); another program may be holding it');
  });
  it('says nothing about a log without a GPU failure', () => {
    expect(parseGpuRunFailure('Skipping registering GPU devices...')).toBeNull();
    expect(parseGpuRunFailure(PTX_JIT_LOG)).toBeNull();
  });
});

describe('ptxJitCapability', () => {
  it('reads the compute capability TensorFlow has to compile kernels for', () => {
    expect(ptxJitCapability(PTX_JIT_LOG)).toBe('9.0');
    expect(ptxJitCapability(CUDNN_HANDLE_LOG)).toBeNull();
  });
});

describe('missingGpuLibraries', () => {
  it('lists each library the loader could not open, once', () => {
    const log = "Could not load dynamic library 'libcudart.so.11.0'; dlerror\nCould not load dynamic library 'libcudnn.so.8'; dlerror\nCould not load dynamic library 'libcudart.so.11.0'; dlerror";
    expect(missingGpuLibraries(log)).toEqual(['libcudart.so.11.0', 'libcudnn.so.8']);
  });
});
