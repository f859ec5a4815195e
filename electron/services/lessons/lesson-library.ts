// Finds lessons on disk: the shipped ones in resources/lessons and the ones a lecturer drops into
// the user data dir's lessons folder. Files are re-read on every call, so a lesson dropped in while
// the app runs shows up on the next visit. A file that cannot be read or parsed becomes a summary
// with `error`, never an exception, so one bad file cannot break the list.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Lesson, LessonSummary } from '../../contract/index.js';
import { NotFoundError } from '../dispatcher.js';
import { DEFAULT_ORDER, LessonFormatError, MAX_LESSON_BYTES, parseLesson } from './lesson-file.js';

type Source = LessonSummary['source'];
interface LessonEntry { summary: LessonSummary; pages: Lesson['pages'] }

/** Documentation that sits beside the lessons and is not itself a lesson. */
const NOT_LESSONS = new Set(['readme.md', 'card.md']);
/** User lessons get this prefix so they can never shadow (or be shadowed by) a shipped lesson. */
export const USER_PREFIX = 'user-';

export interface LessonDirs { shippedDir: string; userDir: string }

function lessonFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    // A missing user folder simply means the lecturer has not added any lessons yet.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names
    .filter((n) => n.toLowerCase().endsWith('.md') && !n.startsWith('.') && !NOT_LESSONS.has(n.toLowerCase()))
    .sort();
}

function lessonId(file: string, source: Source): string {
  const stem = basename(file).replace(/\.md$/i, '');
  return source === 'user' ? `${USER_PREFIX}${stem}` : stem;
}

function readEntry(dir: string, name: string, source: Source): LessonEntry {
  const id = lessonId(name, source);
  const label = source === 'user' ? `lessons/${name}` : name;
  try {
    const path = join(dir, name);
    const size = statSync(path).size;
    if (size > MAX_LESSON_BYTES) {
      throw new LessonFormatError(`${label}: the file is ${(size / 1e6).toFixed(1)} MB; a lesson may be at most ${MAX_LESSON_BYTES / 1e6} MB of text.`);
    }
    const bytes = readFileSync(path);
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    const { meta, pages } = parseLesson(text, label);
    return {
      summary: { id, title: meta.title, order: meta.order, summary: meta.summary, pageCount: pages.length, source },
      pages,
    };
  } catch (e) {
    const error =
      e instanceof LessonFormatError ? e.message
      : e instanceof TypeError ? `${label}: the file is not UTF-8 text. Save it as UTF-8 Markdown.`
      : `${label}: could not be read (${e instanceof Error ? e.message : String(e)}).`;
    return { summary: { id, title: name, order: DEFAULT_ORDER, summary: '', pageCount: 0, source, error }, pages: [] };
  }
}

function readAll({ shippedDir, userDir }: LessonDirs): LessonEntry[] {
  const entries = [
    ...lessonFiles(shippedDir).map((n) => readEntry(shippedDir, n, 'shipped')),
    ...lessonFiles(userDir).map((n) => readEntry(userDir, n, 'user')),
  ];
  // Shipped before user lessons at the same order; then by title for a stable list.
  const rank = (s: LessonSummary) => (s.source === 'shipped' ? 0 : 1);
  return entries.sort((a, b) => a.summary.order - b.summary.order || rank(a.summary) - rank(b.summary) || a.summary.title.localeCompare(b.summary.title));
}

export function listLessons(dirs: LessonDirs): LessonSummary[] {
  return readAll(dirs).map((e) => e.summary);
}

export function getLesson(dirs: LessonDirs, id: string): Lesson {
  const entry = readAll(dirs).find((e) => e.summary.id === id);
  if (!entry) throw new NotFoundError(`No lesson with id "${id}". It may have been renamed or removed from the lessons folder.`);
  if (entry.summary.error) throw new LessonFormatError(entry.summary.error);
  return { ...entry.summary, pages: entry.pages };
}
