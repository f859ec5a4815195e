// The lab.* methods: who the caller is, the teacher's class view (each student's runs and guided
// lesson progress), sharing the class's results, and freeing a claimed name.
import type { Handlers, LabStudent } from '../../contract/index.js';
import type { Db } from '../store/database.js';
import { callingStudent } from './caller.js';
import type { Lab } from './lab.js';

export type LabHandlers = Pick<Handlers, 'lab.me' | 'lab.class' | 'lab.setShared' | 'lab.release'>;

export interface LabServiceOptions {
  db: Db;
  lab: Lab;
  classSession: () => string;
  /** The teacher's own name (Settings): the teacher's runs are not a student's. */
  teacherName: () => string;
}

export function createLabService({ db, lab, classSession, teacherName }: LabServiceOptions): LabHandlers {
  // Read-only views of the run history and guided progress, for the class overview.
  const runStats = db.prepare(
    `SELECT count(*) AS runs, coalesce(sum(status IN ('queued', 'running')), 0) AS active FROM runs WHERE student_name = ? COLLATE NOCASE`,
  );
  const lastRun = db.prepare('SELECT name, created_at AS at FROM runs WHERE student_name = ? COLLATE NOCASE ORDER BY created_at DESC LIMIT 1');
  const sessionStudents = db.prepare(`SELECT DISTINCT student_name AS name FROM runs WHERE class_session = ? AND student_name != '' ORDER BY name`).pluck();
  const guided = db.prepare('SELECT state FROM guided_state WHERE student = ?').pluck();

  function guidedOf(name: string): LabStudent['guided'] {
    const text = guided.get(name) as string | undefined;
    if (!text) return null;
    try {
      const s = JSON.parse(text) as { step?: unknown; lessonId?: unknown };
      return { step: typeof s.step === 'number' ? s.step : 0, lessonId: typeof s.lessonId === 'string' ? s.lessonId : null };
    } catch {
      return null;
    }
  }

  function student(name: string, claimedAt: string | null): LabStudent {
    const stats = runStats.get(name) as { runs: number; active: number };
    const last = lastRun.get(name) as { name: string; at: string } | undefined;
    return { name, claimedAt, runs: stats.runs, active: stats.active, lastRunName: last?.name ?? null, lastRunAt: last?.at ?? null, guided: guidedOf(name) };
  }

  return {
    'lab.me': async () => {
      const s = callingStudent();
      return { role: s ? 'student' : 'teacher', student: s, classSession: classSession(), shared: lab.shared };
    },
    'lab.class': async () => {
      const claimed = lab.students();
      const known = new Set([...claimed.map((c) => c.name.toLowerCase()), teacherName().trim().toLowerCase()]);
      const session = classSession();
      // Students who trained in this session before this server knew them (an earlier launch) too.
      const earlier = session ? (sessionStudents.all(session) as string[]).filter((n) => !known.has(n.toLowerCase())) : [];
      const students = [...claimed.map((c) => student(c.name, c.claimedAt)), ...earlier.map((n) => student(n, null))];
      students.sort((a, b) => a.name.localeCompare(b.name));
      return { classUrl: lab.classUrl, classSession: session, shared: lab.shared, students };
    },
    'lab.setShared': async ({ shared }) => {
      lab.shared = shared;
      return { ok: true as const };
    },
    'lab.release': async ({ student: name }) => {
      if (!lab.release(name)) throw new Error(`No student called "${name}" has claimed a name in this class.`);
      return { ok: true as const };
    },
  };
}
