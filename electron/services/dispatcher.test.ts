import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { methodNames, methods, type Handlers } from '../contract/index.js';
import { createDispatcher, NotFoundError } from './dispatcher.js';

// Handlers that must never run: every payload below is malformed.
const untouchable = new Proxy({} as Handlers, {
  get: (_t, name) => async () => {
    throw new Error(`handler ${String(name)} ran on a malformed payload`);
  },
});
const dispatch = createDispatcher(untouchable);

/** A value of the wrong type for whatever the field expects. */
const wrongValue = (schema: z.ZodType): unknown => {
  const probe = [{ a: 1 }, 'x', 7, true, ['x']];
  return probe.find((v) => !schema.safeParse(v).success);
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
    for (const key of keys) {
      const r = await dispatch(method, { [key]: wrongValue(shape[key]) });
      expect(r.ok, `${method}.${key}`).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('validation');
        // Either this field, or (when this one happens to be valid-ish) another required field.
        expect(r.error.field).toBeTruthy();
        expect(r.error.message).toMatch(/Invalid /);
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
