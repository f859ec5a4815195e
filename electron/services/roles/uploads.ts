// Where students' uploaded folders live: <data>/uploads/<student>/<folder>/<class>/<file>, every
// segment made safe for any file system. A student may register folders only inside their own.
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';

export const uploadsRoot = (dataDir: string) => join(dataDir, 'uploads');

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i;
const MAX_SEGMENT = 80;

/** One path segment that is safe on Windows, macOS and Linux, or null when nothing usable is left. */
export function safeSegment(raw: string): string | null {
  let s = raw.normalize('NFC').replace(/[^\p{L}\p{N} ._()-]+/gu, '_').replace(/^[ .]+|[ .]+$/g, '');
  if (s.length > MAX_SEGMENT) {
    const dot = s.lastIndexOf('.');
    const ext = dot > 0 && s.length - dot <= 10 ? s.slice(dot) : '';
    s = s.slice(0, MAX_SEGMENT - ext.length) + ext;
  }
  if (!s || !/[\p{L}\p{N}]/u.test(s)) return null;
  return WINDOWS_RESERVED.test(s) ? `_${s}` : s;
}

/** A student's folder: their name made safe plus a short hash of it, so two names never share one. */
export function studentUploadDir(dataDir: string, student: string): string {
  const tag = createHash('sha256').update(student.toLowerCase()).digest('hex').slice(0, 8);
  return join(uploadsRoot(dataDir), `${safeSegment(student.toLowerCase()) ?? 'student'}-${tag}`);
}

const real = (p: string) => {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
};

/** The teacher's own uploads (browser mode): every student may use them, like folders the teacher registers. */
export const teacherUploadDir = (dataDir: string) => join(uploadsRoot(dataDir), 'teacher');

/** True when `path` is `dir` or lies inside it, links resolved. */
export function isInside(dir: string, path: string): boolean {
  const d = real(dir);
  const p = real(path);
  return p === d || p.startsWith(d + sep);
}
