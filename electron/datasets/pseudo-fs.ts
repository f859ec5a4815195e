// Folders that hold the running system rather than files: procfs and sysfs report size 0 for files
// that never end, /dev holds devices and pipes. Walking them as images can exhaust memory, so they
// are refused by path (after symlinks are resolved) and, on Linux, by file-system type, which also
// catches such a file system mounted somewhere else.
import { statfs } from 'node:fs/promises';
import { sep } from 'node:path';

const SYSTEM_PATHS: Array<[string, string]> = [
  ['/proc', "the running system's processes and settings"],
  ['/sys', "the kernel's view of devices and drivers"],
  ['/dev', 'devices'],
];

// Linux statfs f_type magic numbers (linux/magic.h) of file systems that never hold user files.
const PSEUDO_FS = new Map<number, string>([
  [0x9fa0, 'procfs'], [0x62656572, 'sysfs'], [0x1cd1, 'devpts'], [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'], [0x73636673, 'securityfs'], [0x27e0eb, 'cgroup'], [0x63677270, 'cgroup2'],
  [0xcafe4a11, 'bpf'], [0x62656570, 'configfs'], [0x6165676c, 'pstore'], [0xde5e81e4, 'efivarfs'],
  [0x65735543, 'fusectl'], [0x42494e4d, 'binfmt_misc'], [0x19800202, 'mqueue'],
]);

const under = (p: string, top: string) => p === top || p.startsWith(top + sep);

/** What `realPath` (already resolved) holds instead of images, in words, or null for an ordinary folder. */
export async function pseudoFsReason(realPath: string): Promise<string | null> {
  if (process.platform !== 'win32') {
    const hit = SYSTEM_PATHS.find(([top]) => under(realPath, top));
    if (hit) return hit[1];
  }
  if (process.platform !== 'linux') return null;
  try {
    const fs = PSEUDO_FS.get(Number((await statfs(realPath)).type));
    return fs ? `a ${fs} mount` : null;
  } catch {
    return null; // unknown: the walk reports its own read errors
  }
}
