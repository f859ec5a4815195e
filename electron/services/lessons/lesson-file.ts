// Parses one lesson file: YAML front matter between two `---` lines at the very top, then the
// slides. A page ends at a line that is exactly `---` outside a fenced code block (the convention
// Marp and reveal-md use, so lecturers can paste existing decks). Every problem is reported as a
// LessonFormatError whose message names the file and says how to fix it.
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { Lesson } from '../../contract/index.js';

export class LessonFormatError extends Error {}

export const PAGE_SEPARATOR = '---';
/** Lessons larger than this are refused: a slide deck is text, not a data dump. */
export const MAX_LESSON_BYTES = 1_000_000;
/** Order given to lessons whose front matter has none, so they come after numbered ones. */
export const DEFAULT_ORDER = 1000;

export interface LessonMeta { title: string; order: number; summary: string }

const FRONT_MATTER = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

/** Splits `text` into front matter (parsed and checked) and the Markdown body. */
export function splitFrontMatter(text: string, file: string): { meta: LessonMeta; body: string } {
  const match = FRONT_MATTER.exec(text);
  if (!match) {
    throw new LessonFormatError(
      `${file}: no front matter. Start the file with a line "---", then at least "title: …", then another "---".`,
    );
  }
  let data: unknown;
  try {
    data = parseYaml(match[1]);
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? ` (line ${e.linePos[0].line + 1})` : '';
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new LessonFormatError(`${file}: the front matter is not valid YAML${where}: ${why}`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new LessonFormatError(`${file}: the front matter must be "key: value" lines (title, order, summary).`);
  }
  const fields = data as Record<string, unknown>;
  const title = fields.title;
  if (typeof title !== 'string' || title.trim() === '') {
    throw new LessonFormatError(`${file}: the front matter needs a "title:" with some text.`);
  }
  const order = fields.order ?? DEFAULT_ORDER;
  if (typeof order !== 'number' || !Number.isFinite(order)) {
    throw new LessonFormatError(`${file}: "order:" must be a number (e.g. order: 3), not ${JSON.stringify(order)}.`);
  }
  const summary = fields.summary ?? '';
  if (typeof summary !== 'string') {
    throw new LessonFormatError(`${file}: "summary:" must be one line of text.`);
  }
  return { meta: { title: title.trim(), order, summary: summary.trim() }, body: text.slice(match[0].length) };
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** Splits the body into pages at separator lines outside fenced code blocks. */
export function splitPages(body: string): Lesson['pages'] {
  const pages: string[][] = [[]];
  let fence: string | null = null;
  for (const line of body.split(/\r?\n/)) {
    const f = FENCE.exec(line);
    if (f) {
      if (fence === null) fence = f[1];
      else if (f[1][0] === fence[0] && f[1].length >= fence.length && line.trim() === f[1]) fence = null;
    }
    if (fence === null && line.trim() === PAGE_SEPARATOR) pages.push([]);
    else pages.at(-1)!.push(line);
  }
  return pages
    .map((lines) => lines.join('\n').trim())
    .filter((markdown) => markdown !== '')
    .map((markdown, i) => ({ title: pageTitle(markdown) ?? `Page ${i + 1}`, markdown }));
}

/** The first ATX heading of a page, outside code, without its #s and inline markup. */
function pageTitle(markdown: string): string | null {
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (FENCE.test(line)) inFence = !inFence;
    const h = !inFence && /^ {0,3}#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (h) return h[1].replace(/[*_`]/g, '').trim();
  }
  return null;
}

export function parseLesson(text: string, file: string): { meta: LessonMeta; pages: Lesson['pages'] } {
  const { meta, body } = splitFrontMatter(text, file);
  const pages = splitPages(body);
  if (pages.length === 0) {
    throw new LessonFormatError(`${file}: the lesson has a front matter but no pages. Add Markdown after the second "---".`);
  }
  return { meta, pages };
}
