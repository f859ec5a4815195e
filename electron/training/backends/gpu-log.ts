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

export function parseGpuLog(stderr: string): GpuLogVerdict {
  const created = CREATED_GPU.exec(stderr);
  if (created) {
    const gpuName = created[3].trim();
    const memoryMB = Number(created[2]);
    return { gpu: true, gpuName, memoryMB, device: `GPU:${created[1]} ${gpuName} (${memoryMB} MB)` };
  }
  const missing = [...stderr.matchAll(MISSING_LIB)].map((m) => m[1]);
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
