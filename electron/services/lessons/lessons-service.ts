// The lessons, lesson-position and guided-mode handlers. Positions and guided progress are kept per
// student (the name in Settings), so several students can share one machine in a lab.
import { join } from 'node:path';
import { GuidedState as GuidedStateSchema, type GuidedState, type Handlers } from '../../contract/index.js';
import type { Db } from '../store/database.js';
import { getLesson, listLessons, type LessonDirs } from './lesson-library.js';

export interface LessonsServiceOptions {
  db: Db;
  /** The app's resources folder; shipped lessons are read from its `lessons/` subfolder. */
  resourcesDir: string;
  /** Where lecturers drop their own lessons (dataDir/lessons); may not exist yet. */
  userLessonsDir: string;
  currentStudent: () => string;
}

export const EMPTY_GUIDED_STATE: GuidedState = { step: 0, lessonId: null, pairId: null, recommendation: null, reflection: null };

type LessonHandlers = Pick<Handlers, 'lessons.list' | 'lessons.get' | 'lessons.getPosition' | 'lessons.setPosition' | 'guided.get' | 'guided.set'>;

export function createLessonsService({ db, resourcesDir, userLessonsDir, currentStudent }: LessonsServiceOptions): LessonHandlers {
  const dirs: LessonDirs = { shippedDir: join(resourcesDir, 'lessons'), userDir: userLessonsDir };
  const now = () => new Date().toISOString();

  const readPosition = db.prepare('SELECT page FROM lesson_positions WHERE student = ? AND lesson_id = ?');
  const writePosition = db.prepare(
    `INSERT INTO lesson_positions (student, lesson_id, page, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT(student, lesson_id) DO UPDATE SET page = excluded.page, updated_at = excluded.updated_at`,
  );
  const readGuided = db.prepare('SELECT state FROM guided_state WHERE student = ?');
  const writeGuided = db.prepare(
    `INSERT INTO guided_state (student, state, updated_at) VALUES (?, ?, ?)
     ON CONFLICT(student) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
  );

  const guidedOf = (student: string): GuidedState => {
    const row = readGuided.get(student) as { state: string } | undefined;
    if (!row) return { ...EMPTY_GUIDED_STATE };
    // A state written by another version that no longer validates starts the guide afresh.
    try {
      const parsed = GuidedStateSchema.safeParse(JSON.parse(row.state));
      return parsed.success ? parsed.data : { ...EMPTY_GUIDED_STATE };
    } catch {
      return { ...EMPTY_GUIDED_STATE };
    }
  };

  return {
    'lessons.list': async () => listLessons(dirs),
    'lessons.get': async ({ id }) => getLesson(dirs, id),
    'lessons.getPosition': async ({ lessonId }) => {
      const row = readPosition.get(currentStudent(), lessonId) as { page: number } | undefined;
      if (!row) return { page: 0 };
      // The lesson may have lost pages since the position was saved.
      const lesson = listLessons(dirs).find((l) => l.id === lessonId);
      const last = Math.max(0, (lesson?.pageCount ?? 1) - 1);
      return { page: Math.min(row.page, last) };
    },
    'lessons.setPosition': async ({ lessonId, page }) => {
      const lesson = getLesson(dirs, lessonId);
      writePosition.run(currentStudent(), lessonId, Math.min(page, lesson.pageCount - 1), now());
      return { ok: true };
    },
    'guided.get': async () => guidedOf(currentStudent()),
    'guided.set': async (patch) => {
      const student = currentStudent();
      const next = GuidedStateSchema.parse({ ...guidedOf(student), ...patch });
      writeGuided.run(student, JSON.stringify(next), now());
      return next;
    },
  };
}
