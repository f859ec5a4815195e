// Reads what libtensorflow (tfjs-node-gpu 4.22 = TensorFlow 2.9.1, CUDA 11.2 + cuDNN 8.1) writes to
// stderr while it starts. tfjs-node-gpu never throws when CUDA is missing: it logs and quietly runs
// on the CPU, so these lines are the only way to know whether a GPU device was really registered.

export type GpuLogVerdict =
  | { gpu: true; gpuName: string; memoryMB: number | null; device: string }
  | { gpu: false; reason: string };

// I .../gpu_device.cc:1532] Created device /job:localhost/replica:0/task:0/device:GPU:0 with 10417 MB
// memory:  -> device: 0, name: NVIDIA GeForce RTX 3080, pci bus id: 0000:01:00.0, compute capability: 8.6
const CREATED_GPU = /Created (?:TensorFlow )?device \S*GPU:(\d+)[^\n]*?with (\d+) MB memory[^\n]*?name: ([^,\n]+)/;
const MISSING_LIB = /Could not load dynamic library '([^']+)'/g;
const SKIPPING = /Skipping registering GPU devices/;
const NO_DEVICE = /CUDA_ERROR_NO_DEVICE|no CUDA-capable device is detected/;
const NO_DRIVER = /libcuda\.so\.1|nvcuda\.dll|kernel driver does not appear to be running|cuInit: UNKNOWN ERROR/;
const DRIVER_TOO_OLD = /CUDA driver version is insufficient|CUDA_ERROR_SYSTEM_DRIVER_MISMATCH/;

/** Names a missing shared library the way a student can act on it. */
export function describeMissingLibrary(lib: string): string {
  if (/cudart|cublas|cufft|curand|cusolver|cusparse/i.test(lib)) return `CUDA 11 libraries not found (${lib})`;
  if (/cudnn/i.test(lib)) return `cuDNN 8 libraries not found (${lib})`;
  if (/libcuda\.so|nvcuda/i.test(lib)) return `NVIDIA driver not found (${lib})`;
  return `GPU library not found (${lib})`;
}

/** Every shared library the loader could not open, once each, in the order logged. */
export function missingGpuLibraries(stderr: string): string[] {
  return [...new Set([...stderr.matchAll(MISSING_LIB)].map((m) => m[1]))];
}

// TensorFlow ships kernels for the GPUs it was built for; on a newer one it compiles them from PTX
// at first use, which it warns "could take 30 minutes or longer".
const PTX_JIT = /not built with CUDA kernel binaries compatible with compute capability ([\d.]+a?)\. CUDA kernels will be jit-compiled from PTX/;

/** The compute capability TensorFlow compiles its kernels for from PTX, or null when it need not. */
export function ptxJitCapability(stderr: string): string | null {
  return PTX_JIT.exec(stderr)?.[1] ?? null;
}

// What libtensorflow logs when a GPU op fails after the device was created: the probe runs a conv2d
// and its gradient, so cuDNN (which only loads its parts at the first convolution) shows up here.
const CUDNN_SUBLIB = /Could not load library (libcudnn\w*\.so\.\d+|cudnn\w*\.dll)\. Error: ([^\n]+)/;
const CUDNN_VERSION = /Loaded runtime CuDNN library: ([\d.]+) but source was compiled with: ([\d.]+?)\.?\s/;
const CUDNN_STATUS = /CUDNN_STATUS_[A-Z_]+/;
const CUDNN_INIT = /DNN library is not found|cuDNN failed to initialize|Failed to get convolution algorithm/;
const BAD_KERNELS = /CUDA_ERROR_INVALID_PTX|CUDA_ERROR_UNSUPPORTED_PTX_VERSION|CUDA_ERROR_NO_BINARY_FOR_GPU|no kernel image is available for execution on the device/;
const OUT_OF_MEMORY = /CUDA_ERROR_OUT_OF_MEMORY|failed to allocate [^\n]*out of memory/;

/** Why a GPU op failed, from libtensorflow's log, or null when the log names no GPU failure. */
export function parseGpuRunFailure(stderr: string): string | null {
  const sublib = CUDNN_SUBLIB.exec(stderr);
  if (sublib) return `cuDNN could not load ${sublib[1]} (${sublib[2].trim()})`;
  const version = CUDNN_VERSION.exec(stderr);
  if (version) return `cuDNN ${version[1]} is installed but TensorFlow 2.9.1 needs cuDNN 8.1 or a later 8.x`;
  const status = CUDNN_STATUS.exec(stderr);
  if (status) return `cuDNN failed to start (${status[0]})`;
  if (CUDNN_INIT.test(stderr)) return 'cuDNN failed to start';
  const kernels = BAD_KERNELS.exec(stderr);
  if (kernels) return `the GPU cannot run TensorFlow 2.9.1's kernels (${kernels[0]}); its compute capability may be newer than the installed driver's PTX compiler`;
  if (OUT_OF_MEMORY.test(stderr)) return 'the GPU ran out of memory (CUDA_ERROR_OUT_OF_MEMORY); another program may be holding it';
  return null;
}

export function parseGpuLog(stderr: string): GpuLogVerdict {
  const created = CREATED_GPU.exec(stderr);
  if (created) {
    const gpuName = created[3].trim();
    const memoryMB = Number(created[2]);
    return { gpu: true, gpuName, memoryMB, device: `GPU:${created[1]} ${gpuName} (${memoryMB} MB)` };
  }
  const missing = missingGpuLibraries(stderr);
  if (missing.length > 0) {
    // Several libraries are usually missing at once; the CUDA runtime first is the most useful.
    const reasons = [...new Set(missing.map(describeMissingLibrary))];
    const cuda = reasons.filter((r) => r.startsWith('CUDA 11'));
    const main = cuda.length > 0 ? 'CUDA 11 libraries not found' : reasons[0];
    return { gpu: false, reason: `${main} (${missing.join(', ')}); TensorFlow fell back to the CPU` };
  }
  if (NO_DEVICE.test(stderr)) return { gpu: false, reason: 'no CUDA-capable GPU found' };
  if (DRIVER_TOO_OLD.test(stderr)) return { gpu: false, reason: 'the NVIDIA driver is too old for CUDA 11.2' };
  if (NO_DRIVER.test(stderr)) return { gpu: false, reason: 'NVIDIA driver not found' };
  if (SKIPPING.test(stderr)) return { gpu: false, reason: 'TensorFlow skipped registering GPU devices and fell back to the CPU' };
  return { gpu: false, reason: 'no GPU device was registered (TensorFlow ran on the CPU)' };
}
