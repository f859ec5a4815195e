import { describe, expect, it } from 'vitest';
import { cudaSetupAdvice, parseLibraryListing } from './cuda-runtime.js';

// `ldconfig -p` on an Ubuntu 22.04 machine with only the CUDA 12.4 toolkit and cuDNN 9 from NVIDIA's apt repository.
const CUDA12_LDCONFIG = `1412 libs found in cache \`/etc/ld.so.cache'
	libcudnn.so.9 (libc6,x86-64) => /lib/x86_64-linux-gnu/libcudnn.so.9
	libcudart.so.12 (libc6,x86-64) => /usr/local/cuda-12.4/targets/x86_64-linux/lib/libcudart.so.12
	libcudart.so (libc6,x86-64) => /usr/local/cuda-12.4/targets/x86_64-linux/lib/libcudart.so
	libcublas.so.12 (libc6,x86-64) => /usr/local/cuda-12.4/targets/x86_64-linux/lib/libcublas.so.12
	libcuda.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libcuda.so.1
	libc.so.6 (libc6,x86-64, OS ABI: Linux 3.2.0) => /lib/x86_64-linux-gnu/libc.so.6
`;
const MISSING = ['libcudart.so.11.0', 'libcublas.so.11', 'libcudnn.so.8'];

describe('parseLibraryListing', () => {
  it('reads names and folders from ldconfig -p and from our own folder scan', () => {
    const found = parseLibraryListing(`${CUDA12_LDCONFIG}libcudart.so.11.0 => /opt/cuda-11.2/lib64/libcudart.so.11.0\ncudnn64_8.dll => C:\\Program Files\\NVIDIA\\CUDNN\\v8.1\\bin\\cudnn64_8.dll\n`);
    expect(found).toContainEqual({ name: 'libcudart.so.12', dir: '/usr/local/cuda-12.4/targets/x86_64-linux/lib' });
    expect(found).toContainEqual({ name: 'libcudart.so.11.0', dir: '/opt/cuda-11.2/lib64' });
    expect(found).toContainEqual({ name: 'cudnn64_8.dll', dir: 'C:\\Program Files\\NVIDIA\\CUDNN\\v8.1\\bin' });
    expect(found.some((f) => f.name === 'libc.so.6')).toBe(false); // only CUDA and cuDNN libraries
  });
});

describe('cudaSetupAdvice', () => {
  it('on a CUDA 12 machine, says CUDA 11.2 + cuDNN 8.1 are needed beside it and how to point the app at them', () => {
    const advice = cudaSetupAdvice({ missing: MISSING, listing: CUDA12_LDCONFIG, platform: 'linux' })!;
    const [first, ...rest] = advice.split('\n');
    expect(first).toBe('CUDA 12 is installed, but tfjs-node-gpu 4.22 (TensorFlow 2.9.1) needs the CUDA 11.2 and cuDNN 8.1 runtime libraries, which were not found (libcudart.so.11.0, libcublas.so.11, libcudnn.so.8); training uses the next rung meanwhile.');
    const steps = rest.join('\n');
    expect(steps).toContain('beside CUDA 12');
    expect(steps).toMatch(/they can coexist/);
    expect(steps).toContain('cuDNN 9 is installed too');
    expect(steps).toMatch(/set LD_LIBRARY_PATH to the folders holding libcudart\.so\.11\.0 and libcudnn\.so\.8 before starting the app/);
    expect(steps).toContain('LD_LIBRARY_PATH=/usr/local/cuda-11.2/lib64:$LD_LIBRARY_PATH');
  });

  it('names the folders where the CUDA 11 libraries already are but the loader does not look', () => {
    const listing = `${CUDA12_LDCONFIG}libcudart.so.11.0 => /usr/local/cuda-11.2/targets/x86_64-linux/lib/libcudart.so.11.0\nlibcublas.so.11 => /usr/local/cuda-11.2/targets/x86_64-linux/lib/libcublas.so.11\nlibcudnn.so.8 => /opt/cudnn-8.1/lib64/libcudnn.so.8\n`;
    const advice = cudaSetupAdvice({ missing: MISSING, listing, platform: 'linux' })!;
    expect(advice).toContain('Found on disk, but not where the library loader searches: libcudart.so.11.0, libcublas.so.11 in /usr/local/cuda-11.2/targets/x86_64-linux/lib; libcudnn.so.8 in /opt/cudnn-8.1/lib64.');
    expect(advice).toContain('LD_LIBRARY_PATH=/usr/local/cuda-11.2/targets/x86_64-linux/lib:/opt/cudnn-8.1/lib64:$LD_LIBRARY_PATH');
    expect(advice).not.toContain('Install the CUDA 11.2');
  });

  it('without CUDA 12, keeps the plain "not found" line and still says how to install and point at them', () => {
    const advice = cudaSetupAdvice({ missing: ['libcudart.so.11.0', 'libcudnn.so.8'], listing: '', platform: 'linux' })!;
    expect(advice).toMatch(/^CUDA 11 libraries not found \(libcudart\.so\.11\.0, libcudnn\.so\.8\); TensorFlow fell back to the CPU/);
    expect(advice).toContain('LD_LIBRARY_PATH');
    expect(advice).not.toContain('CUDA 12');
  });

  it('only cuDNN 8 missing: asks for cuDNN 8.1 for CUDA 11', () => {
    const advice = cudaSetupAdvice({ missing: ['libcudnn.so.8'], listing: 'libcudart.so.11.0 => /usr/local/cuda-11.2/lib64/libcudart.so.11.0', platform: 'linux' })!;
    expect(advice).toMatch(/^cuDNN 8 libraries not found \(libcudnn\.so\.8\)/);
    expect(advice).toContain('cuDNN 8.1 for CUDA 11');
  });

  it('on Windows, speaks of the DLLs and PATH', () => {
    const advice = cudaSetupAdvice({
      missing: ['cudart64_110.dll', 'cudnn64_8.dll'],
      listing: 'cudart64_12.dll => C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA\\v12.4\\bin\\cudart64_12.dll',
      platform: 'win32',
    })!;
    expect(advice.split('\n')[0]).toMatch(/^CUDA 12 is installed, but tfjs-node-gpu 4\.22/);
    expect(advice).toMatch(/add the folders holding cudart64_110\.dll and cudnn64_8\.dll to PATH/);
    expect(advice).not.toContain('LD_LIBRARY_PATH');
  });

  it('has nothing to add when the missing library is the driver, not the runtime', () => {
    expect(cudaSetupAdvice({ missing: ['libcuda.so.1'], listing: CUDA12_LDCONFIG, platform: 'linux' })).toBeNull();
  });
});
