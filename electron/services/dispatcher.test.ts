import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { methodNames, methods, type Handlers, type MethodName, type Params } from '../contract/index.js';
import { createDispatcher, NotFoundError } from './dispatcher.js';
import { callingStudent, studentCaller, TEACHER } from './roles/caller.js';
import { sampleConfig } from './runs/testing/sample-runs.js';

// Handlers that must never run: every payload below is malformed.
const untouchable = new Proxy({} as Handlers, {
  get: (_t, name) => async () => {
    throw new Error(`handler ${String(name)} ran on a malformed payload`);
  },
});
const dispatch = createDispatcher(untouchable);

/** A value of the wrong type for whatever the field expects, refused by the field itself (not by a field inside it). */
const wrongValue = (schema: z.ZodType): unknown => {
  const probe = ['x', 7, true, ['x'], { a: 1 }];
  return probe.find((v) => {
    const r = schema.safeParse(v);
    return !r.success && r.error.issues[0].path.length === 0;
  });
};

/** One valid payload per method, so that a single wrong field is the only thing wrong with it. */
const validParams: { [M in MethodName]: Params<M> } = {
  'app.info': {},
  'settings.get': {},
  'settings.set': { studentName: 'Ada', classSession: 'ML-101', theme: 'dark', backend: 'wasm' },
  'app.openExternal': { url: 'https://example.org/' },
  'app.pickFolder': { title: 'Images' },
  'device.probe': { refresh: true },
  'datasets.list': {},
  'datasets.addFolder': { path: '/home/ada/pets', scanId: 's1', name: 'Pets' },
  'datasets.cancelScan': { scanId: 's1' },
  'datasets.remove': { id: 'pets' },
  'datasets.samples': { datasetId: 'pets', sampleIds: ['cat/1.jpg'] },
  'models.list': {},
  'models.download': { id: 'mobilenet' },
  'models.cancelDownload': { id: 'mobilenet' },
  'models.remove': { id: 'mobilenet' },
  'models.import': { path: '/home/ada/model', name: 'Mine' },
  'training.start': { config: { ...sampleConfig(), strategy: 'both' }, name: 'pair' },
  'training.cancel': { runId: 'r1' },
  'training.queue': {},
  'runs.list': { strategy: 'fine-tuning', datasetId: 'pets', student: 'Ada', status: 'completed', tag: 'best', search: 'cat', sort: 'name', order: 'asc', limit: 10, offset: 0 },
  'runs.get': { id: 'r1' },
  'runs.update': { id: 'r1', name: 'cats', notes: 'n', tags: ['a'], reflection: 'r' },
  'runs.delete': { ids: ['r1'] },
  'runs.rerun': { id: 'r1' },
  'runs.export': { ids: ['r1'], format: 'csv' },
  'runs.exportClass': { classSession: 'ML-101' },
  'runs.import': { content: '{}' },
  'runs.exportModel': { runId: 'r1' },
  'lessons.list': {},
  'lessons.get': { id: 'intro' },
  'lessons.getPosition': { lessonId: 'intro' },
  'lessons.setPosition': { lessonId: 'intro', page: 2 },
  'guided.get': {},
  'guided.set': { step: 1, lessonId: 'intro', pairId: null, recommendation: 'fine-tuning', reflection: null },
  'flowchart.analyze': { dataset: { id: 'pets', perClass: null }, backboneId: 'tl-resnet-s' },
  'lab.me': {},
  'lab.class': {},
  'lab.setShared': { shared: true },
  'lab.release': { student: 'Ada' },
  'sweeps.start': { datasetId: 'pets', sizes: [5, 10], strategies: ['feature-extraction', 'fine-tuning'], seeds: 2, unfreezeBlocks: 2, budget: { epochs: 1 } },
  'sweeps.list': {},
  'sweeps.get': { id: 's1' },
  'sweeps.cancel': { id: 's1' },
  'sweeps.resume': { id: 's1' },
  'sweeps.delete': { id: 's1', withRuns: true },
  'sweeps.export': { id: 's1', format: 'csv' },
};

describe('contract binding', () => {
  it.each(methodNames)('%s: a non-object payload is a validation error, not a crash', async (method) => {
    const r = await dispatch(method, 'definitely not an object');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('validation');
      expect(r.error.message).toContain(method);
    }
  });

  it.each(methodNames)('%s: each field of the wrong type is named in the error', async (method) => {
    const schema = methods[method].params as unknown as z.ZodObject<Record<string, z.ZodType>>;
    const shape = schema.shape ?? {};
    const keys = Object.keys(shape);
    if (keys.length === 0) {
      const r = await dispatch(method, { unexpected: 1 });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message).toContain('unexpected');
      return;
    }
    expect(schema.safeParse(validParams[method]).success, `the valid payload for ${method}`).toBe(true);
    for (const key of keys) {
      const wrong = wrongValue(shape[key]);
      expect(wrong, `a wrong value for ${method}.${key}`).toBeDefined();
      const r = await dispatch(method, { ...validParams[method], [key]: wrong });
      expect(r.ok, `${method}.${key}`).toBe(false);
      if (!r.ok) {
        expect(r.error).toMatchObject({ code: 'validation', field: key });
        expect(r.error.message).toContain(`${method}: Invalid ${key}: `);
      }
    }
  });

  it('names a nested field', async () => {
    const r = await dispatch('training.start', { config: { strategy: 'both', backboneId: 'x', dataset: { id: 'd', perClass: -5 } } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.field).toMatch(/^config\./);
  });

  it('refuses unknown methods', async () => {
    const r = await dispatch('fs.readFile', { path: '/etc/passwd' });
    expect(r).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
  });

  it('turns handler errors into failed / not-found responses', async () => {
    const handlers = {
      'runs.get': async () => {
        throw new NotFoundError('Run x does not exist.');
      },
      'app.info': async () => {
        throw new Error('boom');
      },
    } as unknown as Handlers;
    const d = createDispatcher(handlers);
    expect(await d('runs.get', { id: 'x' })).toMatchObject({ ok: false, error: { code: 'not-found', message: 'Run x does not exist.' } });
    expect(await d('app.info', {})).toMatchObject({ ok: false, error: { code: 'failed', message: 'boom' } });
  });

  it('passes parsed params (with defaults) to the handler', async () => {
    let seen: unknown;
    const d = createDispatcher({ 'device.probe': async (p: unknown) => ((seen = p), { active: null, forced: 'auto', rungs: [] }) } as unknown as Handlers);
    expect((await d('device.probe', {})).ok).toBe(true);
    expect(seen).toEqual({ refresh: false });
  });
});

describe('roles at the binding', () => {
  const info = { 'app.info': async () => ({ name: 'Transfer Lab', version: '0', mode: 'browser', dataDir: '/x', platform: 'linux' }) } as unknown as Handlers;
  it('refuses every student call where no class is served, and takes the teacher\'s', async () => {
    const d = createDispatcher(info);
    expect(await d('app.info', {}, studentCaller('Ana'))).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/^Not allowed: /) } });
    expect(await d('app.info', {})).toMatchObject({ ok: true });
    expect(await d('app.info', {}, TEACHER)).toMatchObject({ ok: true });
  });

  it('applies the guard\'s narrowed params and result filter, and runs the handler as the caller', async () => {
    let seen: unknown;
    let who: string | null = null;
    const handlers = { 'runs.list': async (p: unknown) => ((seen = p), (who = callingStudent()), { runs: [], total: 7 }) } as unknown as Handlers;
    const d = createDispatcher(handlers, () => {}, {
      check: async (student, _m, p) => ({ allow: true, params: { ...(p as object), student }, filter: (r: never) => ({ ...(r as object), total: 0 }) }),
    });
    expect(await d('runs.list', { student: 'Ben' }, studentCaller('Ana'))).toMatchObject({ ok: true, result: { total: 0 } });
    expect(seen).toMatchObject({ student: 'Ana' });
    expect(who).toBe('Ana');
    const refusing = createDispatcher(handlers, () => {}, { check: async () => ({ allow: false, reason: 'no.' }) });
    expect(await refusing('runs.list', {}, studentCaller('Ana'))).toEqual({ ok: false, error: { code: 'forbidden', message: 'Not allowed: no.' } });
  });
});
