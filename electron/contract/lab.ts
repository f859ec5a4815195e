// A lab: one server shared by a class (teacher and student roles, uploads).
import { z } from 'zod';
import { Count } from './fields.js';

export const Role = z.enum(['teacher', 'student']);
/** Who this connection is: the teacher (everything), or one student of the class link. */
export const LabMe = z.object({
  role: Role,
  student: z.string().nullable(),
  classSession: z.string(),
  /** The teacher has shared the class's results: students may read (never change) everyone's runs. */
  shared: z.boolean(),
});
export const LabStudent = z.object({
  name: z.string(),
  claimedAt: z.string().nullable(),
  runs: Count,
  /** Runs queued or training now. */
  active: Count,
  lastRunName: z.string().nullable(),
  lastRunAt: z.string().nullable(),
  guided: z.object({ step: Count, lessonId: z.string().nullable() }).nullable(),
});
export const LabClass = z.object({
  /** The link students open (null where no lab is served, e.g. the desktop app). */
  classUrl: z.string().nullable(),
  classSession: z.string(),
  shared: z.boolean(),
  students: z.array(LabStudent),
});
/** What one upload of a folder (browser mode, POST /lab/upload) may hold. */
export const UPLOAD_LIMITS = { files: 5000, fileBytes: 20 * 1024 * 1024, totalBytes: 500 * 1024 * 1024 } as const;


export type Role = z.output<typeof Role>;
export type LabMe = z.output<typeof LabMe>;
export type LabStudent = z.output<typeof LabStudent>;
export type LabClass = z.output<typeof LabClass>;
