// Who makes a call: the teacher (the desktop app, the teacher link) or one student of the class
// link. The shell decides it once per connection; the dispatcher runs each handler inside it, so
// services that record "who" (new runs, lesson positions, guided progress) read it from here.
import { AsyncLocalStorage } from 'node:async_hooks';

export type Caller = { role: 'teacher' } | { role: 'student'; student: string };

export const TEACHER: Caller = Object.freeze({ role: 'teacher' });
export const studentCaller = (student: string): Caller => Object.freeze({ role: 'student', student });

const current = new AsyncLocalStorage<Caller>();

/** Runs `work` as `caller`; every await inside it still sees that caller. */
export const asCaller = <T>(caller: Caller, work: () => T): T => current.run(caller, work);

/** The student making the current call, or null (the teacher, or work no call started). */
export function callingStudent(): string | null {
  const c = current.getStore();
  return c?.role === 'student' ? c.student : null;
}
