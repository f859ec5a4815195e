// Who a request is, from the credentials it carries: the per-launch token (the teacher), or the
// class token with a claimed student's name and that browser's secret. The class token alone opens
// the page and the name claim, nothing else.
import type { ClaimOutcome } from '../services/roles/lab.js';
import { studentCaller, TEACHER, type Caller } from '../services/roles/caller.js';
import { tokenMatches } from './token.js';

export interface ServerLab {
  classToken: string;
  claim(name: string, secret: string): ClaimOutcome;
  verify(name: string, secret: string | null | undefined): string | null;
}

export interface Credentials { token?: string | null; classToken?: string | null; student?: string | null; secret?: string | null }

export function callerOf(token: string, lab: ServerLab | undefined, c: Credentials): Caller | null {
  if (tokenMatches(token, c.token)) return TEACHER;
  if (!lab || !tokenMatches(lab.classToken, c.classToken) || !c.student) return null;
  const student = lab.verify(c.student, c.secret);
  return student ? studentCaller(student) : null;
}

export const fromQuery = (q: URLSearchParams): Credentials => ({
  token: q.get('token'), classToken: q.get('class'), student: q.get('student'), secret: q.get('secret'),
});

/** Headers carry the student's name URI-encoded (header values are Latin-1 only). */
export function fromHeaders(h: Record<string, string | string[] | undefined>): Credentials {
  const one = (k: string) => (typeof h[k] === 'string' ? (h[k] as string) : null);
  let student = one('x-tl-student');
  try {
    student = student === null ? null : decodeURIComponent(student);
  } catch {
    student = null;
  }
  return { token: one('x-tl-token'), classToken: one('x-tl-class'), student, secret: one('x-tl-secret') };
}
