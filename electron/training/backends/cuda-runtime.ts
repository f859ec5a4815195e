// What a lab admin has to do when tfjs-node-gpu finds no CUDA runtime it can use. tfjs-node-gpu 4.22
// bundles libtensorflow 2.9.1, linked against CUDA 11.2 + cuDNN 8.1; machines set up today usually
// carry CUDA 12 (and cuDNN 9) only, which it cannot use. Both versions can live side by side: the
// loader just has to be told where the CUDA 11 ones are. Pure functions over recorded text
// (libtensorflow's log and a listing of the libraries on disk), so every case is testable.
import path from 'node:path';

export interface FoundLibrary {
  name: string;
  dir: string;
}

const LIBRARY = /^(?:lib(?:cudart|cudnn\w*|cublas\w*|cufft|curand|cusolver|cusparse)\.so(?:\.\d+)*|(?:cudart|cudnn\w*|cublas\w*|cufft|curand|cusolver|cusparse)64_\d+\.dll)$/i;

/** Is this file name one of the CUDA runtime / cuDNN libraries TensorFlow loads? */
export function isCudaLibraryName(name: string): boolean {
  return LIBRARY.test(name);
}

/** Reads `ldconfig -p` lines and our own "name => path" lines; keeps only CUDA and cuDNN libraries. */
export function parseLibraryListing(text: string): FoundLibrary[] {
  const found: FoundLibrary[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\S+)(?:\s+\([^)]*\))?\s+=>\s+(.+?)\s*$/.exec(line);
    if (!m || !isCudaLibraryName(m[1])) continue;
    const file = m[2];
    const dir = file.includes('\\') ? path.win32.dirname(file) : path.posix.dirname(file);
    if (!found.some((f) => f.name === m[1] && f.dir === dir)) found.push({ name: m[1], dir });
  }
  return found;
}

/** The major versions of the CUDA runtime and of cuDNN that a listing holds. */
function majors(found: FoundLibrary[]): { cudart: number[]; cudnn: number[] } {
  const cudart = new Set<number>();
  const cudnn = new Set<number>();
  for (const { name } of found) {
    let m = /^libcudart\.so\.(\d+)/.exec(name);
    if (m) cudart.add(Number(m[1]));
    m = /^cudart64_(\d+)\.dll$/i.exec(name); // cudart64_110.dll is CUDA 11.x, cudart64_12.dll CUDA 12
    if (m) cudart.add(Number(m[1].length >= 3 ? m[1].slice(0, -1) : m[1]));
    m = /^libcudnn\.so\.(\d+)/.exec(name) ?? /^cudnn64_(\d+)\.dll$/i.exec(name);
    if (m) cudnn.add(Number(m[1]));
  }
  return { cudart: [...cudart].sort(), cudnn: [...cudnn].sort() };
}

const isRuntimeLib = (lib: string) => /cudart|cublas|cufft|curand|cusolver|cusparse/i.test(lib);
const isCudnnLib = (lib: string) => /cudnn/i.test(lib);

export interface CudaAdviceInput {
  /** Libraries libtensorflow's loader could not open (from its log). */
  missing: string[];
  /** The CUDA / cuDNN libraries found on this machine (ldconfig and the usual folders). */
  listing: string;
  platform: NodeJS.Platform;
}

/**
 * The device panel's text for missing CUDA 11 / cuDNN 8 libraries: one line saying what is wrong,
 * then the steps to fix it (newline-separated). Null when the missing library is not a CUDA runtime
 * or cuDNN one (a missing driver is said elsewhere).
 */
export function cudaSetupAdvice({ missing, listing, platform }: CudaAdviceInput): string | null {
  const needRuntime = missing.some(isRuntimeLib);
  const needCudnn = missing.some(isCudnnLib);
  if (!needRuntime && !needCudnn) return null;
  const win = platform === 'win32';
  const found = parseLibraryListing(listing);
  const { cudart, cudnn } = majors(found);
  const newerCuda = cudart.filter((v) => v > 11);
  const newerCudnn = cudnn.filter((v) => v > 8);
  const names = missing.join(', ');
  const lines: string[] = [];

  if (needRuntime && newerCuda.length > 0) {
    lines.push(`CUDA ${newerCuda.join(', ')} is installed, but tfjs-node-gpu 4.22 (TensorFlow 2.9.1) needs the CUDA 11.2 and cuDNN 8.1 runtime libraries, which were not found (${names}); training uses the next rung meanwhile.`);
  } else if (needRuntime) {
    lines.push(`CUDA 11 libraries not found (${names}); TensorFlow fell back to the CPU, so training uses the next rung meanwhile.`);
  } else {
    lines.push(`cuDNN 8 libraries not found (${names}); TensorFlow fell back to the CPU, so training uses the next rung meanwhile.`);
  }

  // Libraries already on disk, in a folder the loader does not search: only the path is missing.
  const same = (m: string, f: FoundLibrary) => m.toLowerCase() === f.name.toLowerCase() || sameMajor(m, f.name);
  const present = found.filter((f) => missing.some((m) => same(m, f)));
  const presentDirs = [...new Set(present.map((f) => f.dir))];
  const stillMissing = missing.filter((m) => !present.some((f) => same(m, f)));

  if (present.length > 0) {
    const byDir = presentDirs.map((dir) => `${present.filter((f) => f.dir === dir).map((f) => f.name).join(', ')} in ${dir}`);
    lines.push(`Found on disk, but not where the library loader searches: ${byDir.join('; ')}.`);
  }
  if (stillMissing.some(isRuntimeLib)) {
    const folder = win ? 'C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA\\v11.2' : '/usr/local/cuda-11.2';
    const beside = newerCuda.length > 0
      ? `beside CUDA ${newerCuda.join(', ')}, e.g. in ${folder}: they can coexist, each version in its own folder, and CUDA ${newerCuda.join(', ')} stays as it is.`
      : `in a folder of their own, e.g. ${folder} (they can coexist with other CUDA versions).`;
    lines.push(`Install the CUDA 11.2 runtime libraries (cudart, cuBLAS, cuFFT, cuRAND, cuSOLVER, cuSPARSE) and cuDNN 8.1 for CUDA 11 ${beside}`);
  } else if (stillMissing.some(isCudnnLib)) {
    lines.push(`Install cuDNN 8.1 for CUDA 11 (${win ? 'cudnn64_8.dll' : 'libcudnn.so.8'})${newerCuda.length > 0 ? ' beside the newer CUDA: they can coexist' : ''}, e.g. in the CUDA 11.2 folder.`);
  }
  if (newerCudnn.length > 0 && needCudnn) {
    lines.push(`cuDNN ${newerCudnn.join(', ')} is installed too; TensorFlow 2.9.1 needs cuDNN 8 beside it and does not use a newer one.`);
  }

  const runtimeName = win ? 'cudart64_110.dll' : 'libcudart.so.11.0';
  const cudnnName = win ? 'cudnn64_8.dll' : 'libcudnn.so.8';
  const dirs = presentDirs.length > 0 ? presentDirs : [win ? 'C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA\\v11.2\\bin' : '/usr/local/cuda-11.2/lib64'];
  if (win) {
    lines.push(`Then point the app at them: add the folders holding ${runtimeName} and ${cudnnName} to PATH (e.g. ${dirs.join(';')}) in the environment variables, and start the app again.`);
  } else {
    lines.push(`Then point the app at them: set LD_LIBRARY_PATH to the folders holding ${runtimeName} and ${cudnnName} before starting the app, e.g. LD_LIBRARY_PATH=${dirs.join(':')}:$LD_LIBRARY_PATH in the shell or launcher that starts it.`);
  }
  return lines.join('\n');
}

/** libcudart.so.11.0 and libcudart.so.11.2.152 are the same library for the loader's purpose. */
function sameMajor(a: string, b: string): boolean {
  const ma = /^(lib\w+)\.so\.(\d+)/.exec(a);
  const mb = /^(lib\w+)\.so\.(\d+)/.exec(b);
  return !!ma && !!mb && ma[1] === mb[1] && ma[2] === mb[2];
}
