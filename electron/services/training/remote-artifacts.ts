// A run's files (its trained model folder and validation predictions) travel from a lab worker to
// the server inside the job's completion. The worker packs its run folder; the server writes it
// under its own run folder root, every path checked to stay inside, and only once complete.
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Artifact } from './remote-protocol.js';

/** Larger run folders stay on the worker: the run is recorded without its model file. */
export const MAX_ARTIFACT_BYTES = 64 * 1024 * 1024;

/** Every regular file below `folder`, '/'-separated relative paths, or null when they exceed the limit. */
export async function packRunFolder(folder: string, limit = MAX_ARTIFACT_BYTES): Promise<Artifact[] | null> {
  const out: Artifact[] = [];
  let total = 0;
  async function walk(dir: string): Promise<boolean> {
    for (const ent of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, ent.name);
      if (ent.isDirectory()) {
        if (!(await walk(path))) return false;
      } else if (ent.isFile()) {
        const bytes = await readFile(path);
        total += bytes.length;
        if (total > limit) return false;
        out.push({ path: relative(folder, path).split(sep).join('/'), base64: bytes.toString('base64') });
      }
    }
    return true;
  }
  return (await walk(folder)) ? out : null;
}

/** A relative path that stays inside its folder, or null. */
function insidePath(root: string, rel: string): string | null {
  if (!rel || rel.startsWith('/') || rel.includes('\\') || rel.split('/').some((p) => p === '..' || p === '' || p === '.')) return null;
  const abs = resolve(root, ...rel.split('/'));
  return abs.startsWith(resolve(root) + sep) ? abs : null;
}

/** Writes a run's files to <root>/<runId>/; returns the absolute model folder (or null). */
export async function unpackRunFolder(root: string, runId: string, artifacts: Artifact[], modelDir: string | null): Promise<string | null> {
  if (!/^[\w-]{1,200}$/.test(runId)) throw new Error(`Not a run id: ${runId}`);
  const target = join(root, runId);
  const incoming = join(root, `.incoming-${runId}-${randomBytes(4).toString('hex')}`);
  try {
    for (const a of artifacts) {
      const abs = insidePath(incoming, a.path);
      if (!abs) throw new Error(`The lab worker sent a file outside the run folder: ${a.path}`);
      await mkdir(dirname(abs), { recursive: true });
      await writeFile(abs, Buffer.from(a.base64, 'base64'));
    }
    await mkdir(incoming, { recursive: true });
    if (await lstat(target).then(() => true, () => false)) await rm(target, { recursive: true, force: true });
    await rename(incoming, target);
  } catch (e) {
    await rm(incoming, { recursive: true, force: true }).catch(() => undefined);
    throw e;
  }
  if (modelDir === null) return null;
  return insidePath(target, modelDir) ?? null;
}
