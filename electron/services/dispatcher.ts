// Binds the contract to its handlers for any transport: looks the method up, validates the params
// with the method's zod schema, asks the role policy whether this caller may make the call, runs the
// handler as that caller, and turns every failure into a WireError — a bad payload is answered with
// the offending field, a refused call with why, never a crash.
import { z } from 'zod';
import { isMethodName, methods, type Handlers, type MethodName, type WireError } from '../contract/index.js';
import { asCaller, TEACHER, type Caller } from './roles/caller.js';

export class NotFoundError extends Error {}

export function describeIssues(error: z.ZodError): { message: string; field: string } {
  const issue = error.issues[0];
  const field = issue?.path.length ? issue.path.join('.') : '(payload)';
  return { field, message: `Invalid ${field}: ${issue?.message ?? 'malformed payload'}` };
}

export type DispatchResult = { ok: true; result: unknown } | { ok: false; error: WireError };
/** Who makes the call; the teacher when the transport does not say (the desktop app). */
export type Dispatch = (method: unknown, params: unknown, caller?: Caller) => Promise<DispatchResult>;

type Verdict = { allow: true; params?: unknown; filter?: (result: never) => unknown } | { allow: false; reason: string };
/** Decides a student's call (roles/guard.ts); the teacher's calls are not asked about. */
export interface CallGuard {
  check(student: string, method: MethodName, params: unknown): Promise<Verdict>;
}

const refusedForStudents: CallGuard = {
  check: async () => ({ allow: false, reason: 'this app serves no class, so it takes no student calls.' }),
};

export function createDispatcher(handlers: Handlers, log: (msg: string) => void = () => {}, guard: CallGuard = refusedForStudents): Dispatch {
  return async (method, params, caller = TEACHER) => {
    if (!isMethodName(method)) {
      return { ok: false, error: { code: 'unknown-method', message: `Unknown method: ${String(method).slice(0, 100)}` } };
    }
    const parsed = methods[method].params.safeParse(params ?? {});
    if (!parsed.success) {
      const { field, message } = describeIssues(parsed.error);
      return { ok: false, error: { code: 'validation', message: `${method}: ${message}`, field } };
    }
    try {
      let input: unknown = parsed.data;
      let filter: ((result: never) => unknown) | undefined;
      if (caller.role === 'student') {
        const verdict = await guard.check(caller.student, method, parsed.data);
        if (!verdict.allow) return { ok: false, error: { code: 'forbidden', message: `Not allowed: ${verdict.reason}` } };
        input = verdict.params ?? input;
        filter = verdict.filter;
      }
      const handler = handlers[method] as (p: unknown) => Promise<unknown>;
      const result = await asCaller(caller, () => handler(input));
      return { ok: true, result: filter ? filter(result as never) : result };
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
