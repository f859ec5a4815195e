// Facts about this machine's NVIDIA setup, read without loading libtensorflow: the driver and GPUs
// (for the probe cache's key) and the CUDA / cuDNN libraries on disk (for the key, and to tell an
// admin which CUDA is installed and where the libraries TensorFlow wants already are).
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isCudaLibraryName } from './cuda-runtime.js';

const execText = (cmd: string, args: string[]) => new Promise<string>((resolve, reject) => {
  execFile(cmd, args, { timeout: 10_000, windowsHide: true, maxBuffer: 8 * 1024 * 1024 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
});

export interface GpuIdentityOptions {
  procRoot?: string;
  runNvidiaSmi?: () => Promise<string>;
}

const defaultNvidiaSmi = () => execText('nvidia-smi', ['--query-gpu=name,uuid,driver_version', '--format=csv,noheader']);

/** The driver version and each GPU's model and UUID, one line; what changes per boot is left out. */
export async function readGpuIdentity({ procRoot = '/proc', runNvidiaSmi = defaultNvidiaSmi }: GpuIdentityOptions = {}): Promise<string> {
  const nvidia = path.join(procRoot, 'driver', 'nvidia');
  try {
    const version = (await readFile(path.join(nvidia, 'version'), 'utf8')).split('\n')[0].replace(/\s+/g, ' ').trim();
    const gpus: string[] = [];
    for (const bus of (await readdir(path.join(nvidia, 'gpus')).catch(() => [])).sort()) {
      const info = await readFile(path.join(nvidia, 'gpus', bus, 'information'), 'utf8').catch(() => '');
      const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'm').exec(info)?.[1].trim() ?? '?';
      gpus.push(`${field('Model')} ${field('GPU UUID')} ${field('Bus Location')}`);
    }
    return [version, ...gpus].join(' | ');
  } catch {
    // No /proc/driver/nvidia: Windows, macOS, WSL (its driver lives on the Windows side), or no driver.
  }
  try {
    const lines = (await runNvidiaSmi()).split('\n').map((l) => l.trim()).filter(Boolean);
    return `nvidia-smi: ${lines.join(' | ')}`;
  } catch {
    return 'no NVIDIA driver found';
  }
}

export interface LibraryListOptions {
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  /** Folders holding CUDA installs: /usr/local/cuda-*, or the CUDA toolkit's v11.2 etc. on Windows. */
  cudaRoots?: string[];
  runLdconfig?: () => Promise<string>;
}

const defaultLdconfig = () => execText('/sbin/ldconfig', ['-p']).catch(() => execText('ldconfig', ['-p']));

function defaultCudaRoots(platform: NodeJS.Platform, env: Record<string, string | undefined>): string[] {
  if (platform !== 'win32') return ['/usr/local', '/opt'];
  const pf = env.ProgramFiles ?? 'C:\\Program Files';
  return [path.join(pf, 'NVIDIA GPU Computing Toolkit', 'CUDA'), path.join(pf, 'NVIDIA', 'CUDNN')];
}

async function namesIn(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).filter(isCudaLibraryName).sort();
}

/** Subfolders of the CUDA roots that hold libraries: <root>/cuda*\/{lib64,lib,targets/*\/lib}, or <root>\\*\\bin on Windows. */
async function cudaInstallDirs(roots: string[], win: boolean): Promise<string[]> {
  const dirs: string[] = [];
  const { join } = path;
  for (const root of roots) {
    const installs = (await readdir(root).catch(() => [] as string[])).filter((n) => win || /^cuda|^cudnn/i.test(n)).sort();
    for (const install of installs) {
      if (win) { dirs.push(join(root, install, 'bin')); continue; }
      dirs.push(join(root, install, 'lib64'), join(root, install, 'lib'));
      for (const target of (await readdir(join(root, install, 'targets')).catch(() => [] as string[])).sort()) dirs.push(join(root, install, 'targets', target, 'lib'));
    }
  }
  return dirs;
}

/**
 * The CUDA and cuDNN libraries on this machine, as "name => path" lines: what the system loader knows
 * (ldconfig -p), what LD_LIBRARY_PATH (PATH on Windows) names, and the usual CUDA install folders.
 */
export async function listGpuLibraries({ env = process.env, platform = process.platform, cudaRoots, runLdconfig = defaultLdconfig }: LibraryListOptions = {}): Promise<string> {
  const win = platform === 'win32';
  const lines: string[] = [];
  const seen = new Set<string>();
  const add = (name: string, file: string) => { if (!seen.has(file)) { seen.add(file); lines.push(`${name} => ${file}`); } };
  if (!win && platform !== 'darwin') {
    const cache = await runLdconfig().catch(() => '');
    for (const m of cache.matchAll(/^\s*(\S+)\s+\([^)]*\)\s+=>\s+(.+?)\s*$/gm)) if (isCudaLibraryName(m[1])) add(m[1], m[2]);
  }
  const searchPath = (win ? env.PATH ?? env.Path : env.LD_LIBRARY_PATH) ?? '';
  const dirs = [
    ...searchPath.split(win ? ';' : ':').filter(Boolean),
    ...await cudaInstallDirs(cudaRoots ?? defaultCudaRoots(platform, env), win),
  ];
  for (const dir of dirs) for (const name of await namesIn(dir)) add(name, path.join(dir, name));
  return lines.join('\n');
}

/** The version of the package an entry file belongs to, or null when no package.json says. */
export function packageVersion(entry: string, pkg: string): string | null {
  let dir = path.dirname(entry);
  for (let i = 0; i < 8; i++) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const json = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (json.name === pkg) return json.version ?? null;
      } catch { /* not ours; keep looking up */ }
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return null;
}
