// Binds the contract to its handlers for any transport: looks the method up, validates the params
// with the method's zod schema, runs the handler, and turns every failure into a WireError — a bad
// payload is answered with the offending field, never a crash.
import { z } from 'zod';
import { isMethodName, methods, type Handlers, type WireError } from '../contract/index.js';

export class NotFoundError extends Error {}

export function describeIssues(error: z.ZodError): { message: string; field: string } {
  const issue = error.issues[0];
  const field = issue?.path.length ? issue.path.join('.') : '(payload)';
  return { field, message: `Invalid ${field}: ${issue?.message ?? 'malformed payload'}` };
}

export type DispatchResult = { ok: true; result: unknown } | { ok: false; error: WireError };
export type Dispatch = (method: unknown, params: unknown) => Promise<DispatchResult>;

export function createDispatcher(handlers: Handlers, log: (msg: string) => void = () => {}): Dispatch {
  return async (method, params) => {
    if (!isMethodName(method)) {
      return { ok: false, error: { code: 'unknown-method', message: `Unknown method: ${String(method).slice(0, 100)}` } };
    }
    const parsed = methods[method].params.safeParse(params ?? {});
    if (!parsed.success) {
      const { field, message } = describeIssues(parsed.error);
      return { ok: false, error: { code: 'validation', message: `${method}: ${message}`, field } };
    }
    try {
      const handler = handlers[method] as (p: unknown) => Promise<unknown>;
      const result = await handler(parsed.data);
      return { ok: true, result };
    } catch (e) {
      const error: WireError = {
        code: e instanceof NotFoundError ? 'not-found' : 'failed',
        message: e instanceof Error ? e.message : String(e),
      };
      if (error.code === 'failed') log(`${method} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return { ok: false, error };
    }
  };
}
