// Applies the student policy: builds what its rows need to know (whose run, sweep or data set a
// call names) from the services themselves, and decides which events a student's connection gets.
import { isShippedDatasetId } from '../../datasets/shipped.js';
import { findFolder } from '../../datasets/folder-registry.js';
import type { DatasetInfo, Handlers, MethodName, WireEvent } from '../../contract/index.js';
import { NotFoundError } from '../dispatcher.js';
import type { Lab } from './lab.js';
import { STUDENT_POLICY, type DatasetAccess, type StudentContext, type Verdict } from './policy.js';
import { isInside, studentUploadDir, teacherUploadDir, uploadsRoot } from './uploads.js';

export interface GuardDeps {
  lab: Lab;
  dataDir: string;
  resourcesDir: string;
  /** The teacher's class session (Settings): every student's runs carry it. */
  classSession: () => string;
  /** Read as the teacher, to learn whose data a call names. */
  handlers: Pick<Handlers, 'runs.get' | 'sweeps.get'>;
}

export interface StudentGuard {
  check<M extends MethodName>(student: string, method: M, params: unknown): Promise<Verdict<M>>;
  /** Whether a student's connection receives this event (their own runs' progress, or all when shared). */
  eventVisible(student: string, event: WireEvent): Promise<boolean>;
}

/** Looks an owner up once per id; a missing id is asked again next time (it may be created later). */
function cachedOwner(lookup: (id: string) => Promise<string>): (id: string) => Promise<string | null> {
  const cache = new Map<string, Promise<string | null>>();
  return (id) => {
    const hit = cache.get(id);
    if (hit) return hit;
    const p = lookup(id).catch((e: unknown) => {
      cache.delete(id);
      if (e instanceof NotFoundError) return null;
      throw e;
    });
    cache.set(id, p);
    return p;
  };
}

export function createStudentGuard(deps: GuardDeps): StudentGuard {
  const runOwner = cachedOwner(async (id) => (await deps.handlers['runs.get']({ id })).studentName);
  const sweepOwner = cachedOwner(async (id) => {
    const s = await deps.handlers['sweeps.get']({ id });
    return s.source === 'shipped' ? '' : s.studentName;
  });
  const root = uploadsRoot(deps.dataDir);

  function pathAccess(path: string, student: string): Exclude<DatasetAccess, 'shipped' | 'unknown'> {
    if (isInside(studentUploadDir(deps.dataDir, student), path)) return 'own';
    if (isInside(root, path) && !isInside(teacherUploadDir(deps.dataDir), path)) return 'other';
    return 'teacher';
  }

  const context = (student: string): StudentContext => ({
    student,
    shared: deps.lab.shared,
    classSession: deps.classSession(),
    runOwner,
    sweepOwner,
    async datasetAccess(id) {
      if (isShippedDatasetId(deps.resourcesDir, id)) return 'shipped';
      const folder = await findFolder(deps.dataDir, id);
      return folder ? pathAccess(folder.path, student) : 'unknown';
    },
    datasetInfoVisible: (d: DatasetInfo) => d.source === 'shipped' || !d.path || pathAccess(d.path, student) !== 'other',
    insideOwnUploads: (path) => isInside(studentUploadDir(deps.dataDir, student), path),
  });

  return {
    async check(student, method, params) {
      const rule = STUDENT_POLICY[method] as (p: unknown, ctx: StudentContext) => Verdict<typeof method> | Promise<Verdict<typeof method>>;
      return rule(params, context(student));
    },
    async eventVisible(student, { event, payload }) {
      const p = payload as { runId?: string; sweepId?: string };
      if (event === 'training.progress' || event === 'training.epoch' || event === 'training.job') {
        if (deps.lab.shared || !p.runId) return true;
        const owner = await runOwner(p.runId);
        return owner === null || owner.toLowerCase() === student.toLowerCase();
      }
      if (event === 'sweeps.progress' && p.sweepId && !deps.lab.shared) {
        const owner = await sweepOwner(p.sweepId).catch(() => null);
        return owner === null || owner === '' || owner.toLowerCase() === student.toLowerCase();
      }
      return true;
    },
  };
}
