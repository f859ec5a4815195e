import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../store/database.js';
import { createLessonsService } from './lessons-service.js';
import { splitPages } from './lesson-file.js';

const repoResources = fileURLToPath(new URL('../../../resources', import.meta.url));

let root: string;
let db: Db;
let student = 'ada';
const make = () =>
  createLessonsService({ db, resourcesDir: join(root, 'resources'), userLessonsDir: join(root, 'data', 'lessons'), currentStudent: () => student });
const shipped = (name: string, text: string) => writeFileSync(join(root, 'resources', 'lessons', name), text);
const user = (name: string, text: string | Buffer) => {
  mkdirSync(join(root, 'data', 'lessons'), { recursive: true });
  writeFileSync(join(root, 'data', 'lessons', name), text);
};

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tl-lessons-'));
  mkdirSync(join(root, 'resources', 'lessons'), { recursive: true });
  db = openDatabase(':memory:');
  student = 'ada';
});
afterEach(() => {
  db.close();
  rmSync(root, { recursive: true, force: true });
});

describe('lesson files', () => {
  it('reads front matter and splits pages at --- lines, but not inside code fences', async () => {
    shipped('02-b.md', '---\ntitle: Second\norder: 2\n---\n# One\ntext\n---\n## Two\n```yaml\n---\nkey: v\n```\n---\nthird, no heading\n');
    shipped('01-a.md', '---\ntitle: "First: intro"\norder: 1\nsummary: The start\n---\n# Only page\n');
    const service = make();
    const list = await service['lessons.list']({});
    expect(list.map((l) => [l.id, l.title, l.order, l.pageCount, l.source])).toEqual([
      ['01-a', 'First: intro', 1, 1, 'shipped'],
      ['02-b', 'Second', 2, 3, 'shipped'],
    ]);
    expect(list[0].summary).toBe('The start');
    const lesson = await service['lessons.get']({ id: '02-b' });
    expect(lesson.pages.map((p) => p.title)).toEqual(['One', 'Two', 'Page 3']);
    expect(lesson.pages[1].markdown).toContain('---\nkey: v');
  });

  it('turns each kind of malformed file into a summary with a clear error, and keeps the good ones', async () => {
    shipped('good.md', '---\ntitle: Good\n---\nhello');
    user('no-front.md', '# Just markdown\n');
    user('bad-yaml.md', '---\ntitle: [unclosed\n---\nbody');
    user('no-title.md', '---\norder: 3\n---\nbody');
    user('bad-order.md', '---\ntitle: T\norder: soon\n---\nbody');
    user('empty.md', '---\ntitle: Empty\n---\n\n---\n');
    user('latin1.md', Buffer.from([0x2d, 0x2d, 0x2d, 0x0a, 0x74, 0xe9, 0x0a]));
    user('notes.txt', 'ignored: not markdown');
    user('README.md', 'ignored: documentation');
    const list = await make()['lessons.list']({});
    const errors = Object.fromEntries(list.filter((l) => l.error).map((l) => [l.id, l.error]));
    expect(list.find((l) => l.id === 'good')?.error).toBeUndefined();
    expect(Object.keys(errors).sort()).toEqual(
      ['user-bad-order', 'user-bad-yaml', 'user-empty', 'user-latin1', 'user-no-front', 'user-no-title'],
    );
    expect(errors['user-no-front']).toMatch(/lessons\/no-front\.md: no front matter/);
    expect(errors['user-bad-yaml']).toMatch(/not valid YAML/);
    expect(errors['user-no-title']).toMatch(/needs a "title:"/);
    expect(errors['user-bad-order']).toMatch(/"order:" must be a number.*"soon"/);
    expect(errors['user-empty']).toMatch(/no pages/);
    expect(errors['user-latin1']).toMatch(/not UTF-8/);
    await expect(make()['lessons.get']({ id: 'user-bad-yaml' })).rejects.toThrow(/not valid YAML/);
    await expect(make()['lessons.get']({ id: 'nope' })).rejects.toThrow(/No lesson with id "nope"/);
  });

  it('picks up lessons a lecturer drops into the user folder, prefixed so they never clash', async () => {
    shipped('intro.md', '---\ntitle: Shipped intro\n---\nA');
    const service = make();
    expect((await service['lessons.list']({})).map((l) => l.id)).toEqual(['intro']);
    user('intro.md', '---\ntitle: My intro\norder: 0\n---\nB\n---\nC');
    const list = await service['lessons.list']({});
    expect(list.map((l) => [l.id, l.source])).toEqual([['user-intro', 'user'], ['intro', 'shipped']]);
    expect((await service['lessons.get']({ id: 'user-intro' })).pages.map((p) => p.markdown)).toEqual(['B', 'C']);
  });

  it('handles CRLF line endings and a byte-order mark', () => {
    expect(splitPages('a\r\n---\r\nb').map((p) => p.markdown)).toEqual(['a', 'b']);
  });
});

describe('positions and guided state', () => {
  it('remembers the page per student and clamps it to the lesson', async () => {
    shipped('l.md', '---\ntitle: L\n---\n1\n---\n2\n---\n3');
    const service = make();
    expect(await service['lessons.getPosition']({ lessonId: 'l' })).toEqual({ page: 0 });
    await service['lessons.setPosition']({ lessonId: 'l', page: 2 });
    student = 'grace';
    expect(await service['lessons.getPosition']({ lessonId: 'l' })).toEqual({ page: 0 });
    await service['lessons.setPosition']({ lessonId: 'l', page: 99 });
    expect(await service['lessons.getPosition']({ lessonId: 'l' })).toEqual({ page: 2 });
    student = 'ada';
    expect(await service['lessons.getPosition']({ lessonId: 'l' })).toEqual({ page: 2 });
    shipped('l.md', '---\ntitle: L\n---\nonly one page now');
    expect(await service['lessons.getPosition']({ lessonId: 'l' })).toEqual({ page: 0 });
    await expect(service['lessons.setPosition']({ lessonId: 'gone', page: 1 })).rejects.toThrow(/No lesson/);
  });

  it('merges guided-state patches per student', async () => {
    const service = make();
    expect(await service['guided.get']({})).toEqual({ step: 0, lessonId: null, pairId: null, recommendation: null, reflection: null });
    await service['guided.set']({ lessonId: 'l', step: 2, recommendation: 'fine-tuning' });
    const after = await service['guided.set']({ step: 3 });
    expect(after).toEqual({ step: 3, lessonId: 'l', pairId: null, recommendation: 'fine-tuning', reflection: null });
    student = 'grace';
    expect((await service['guided.get']({})).step).toBe(0);
    student = 'ada';
    expect((await service['guided.get']({})).recommendation).toBe('fine-tuning');
  });
});

describe('shipped lessons', () => {
  it('all parse without errors and keep their ids', async () => {
    const service = createLessonsService({ db, resourcesDir: repoResources, userLessonsDir: join(root, 'none'), currentStudent: () => 'x' });
    const list = await service['lessons.list']({});
    expect(list.filter((l) => l.error)).toEqual([]);
    expect(list.map((l) => l.id).slice(0, 2)).toEqual(['01-two-strategies', '02-fine-tuning-practice']);
    for (const l of list) expect(l.pageCount).toBeGreaterThan(4);
  });
});
