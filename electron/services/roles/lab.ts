// The class a lab server serves: who has claimed which name (each name bound to the secret of the
// browser that typed it first), and whether the teacher shares the class's results. Kept in
// <data>/lab/lab.json, so a restarted server still knows every student; only a hash of each secret
// is stored.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const Claim = z.object({ name: z.string(), key: z.string(), claimedAt: z.string() });
const LabFile = z.object({ version: z.literal(1), shared: z.boolean(), claims: z.array(Claim) });
type Claim = z.output<typeof Claim>;

export type ClaimOutcome = { ok: true; student: string } | { ok: false; reason: string };

const MAX_NAME = 60;

/** The name as shown and stored: trimmed, inner whitespace collapsed, NFC. */
export const cleanName = (name: string) => name.normalize('NFC').replace(/\s+/g, ' ').trim();
/** Two spellings that differ only in case are one student. */
const nameKey = (name: string) => cleanName(name).toLowerCase();
const hashSecret = (secret: string) => createHash('sha256').update(`transfer-lab student:${secret}`).digest('base64url');

function sameKey(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Why a typed name cannot be a student's name, or null when it can. */
export function nameProblem(name: string): string | null {
  const n = cleanName(name);
  if (!n) return 'Type your name first.';
  if (n.length > MAX_NAME) return `A name has at most ${MAX_NAME} characters.`;
  if (/[\p{Cc}\p{Cf}]/u.test(n)) return 'A name cannot contain control characters.';
  return null;
}

export interface LabOptions {
  dataDir: string;
  /** The teacher's own name (Settings): no student may claim it, or they would own the teacher's runs. */
  teacherName?: () => string;
}

export class Lab {
  private claims: Claim[] = [];
  private sharedResults = false;
  /** The link students open; set by the server that serves the class. */
  classUrl: string | null = null;
  private readonly file: string;

  constructor(private opts: LabOptions) {
    this.file = join(opts.dataDir, 'lab', 'lab.json');
    this.load();
  }

  get shared() {
    return this.sharedResults;
  }
  set shared(value: boolean) {
    this.sharedResults = value;
    this.save();
  }

  /** The first browser to type a name owns it; the same browser (same secret) may claim it again. */
  claim(name: string, secret: string): ClaimOutcome {
    const problem = nameProblem(name);
    if (problem) return { ok: false, reason: problem };
    if (secret.length < 16 || secret.length > 200) return { ok: false, reason: 'This browser sent no usable key: reload the class link.' };
    const n = cleanName(name);
    const teacher = this.opts.teacherName?.().trim();
    if (teacher && nameKey(teacher) === nameKey(n)) return { ok: false, reason: `"${n}" is the teacher's name here: type your own.` };
    const existing = this.find(n);
    if (existing) {
      if (sameKey(existing.key, hashSecret(secret))) return { ok: true, student: existing.name };
      return { ok: false, reason: `"${existing.name}" is already taken in this class by another browser. Type a different name (add your surname), or ask the teacher to free it.` };
    }
    this.claims.push({ name: n, key: hashSecret(secret), claimedAt: new Date().toISOString() });
    this.save();
    return { ok: true, student: n };
  }

  /** The student's name as first claimed when `secret` is the one bound to it; else null. */
  verify(name: string, secret: string | null | undefined): string | null {
    if (!secret) return null;
    const existing = this.find(name);
    return existing && sameKey(existing.key, hashSecret(secret)) ? existing.name : null;
  }

  release(name: string): boolean {
    const before = this.claims.length;
    this.claims = this.claims.filter((c) => nameKey(c.name) !== nameKey(name));
    if (this.claims.length !== before) this.save();
    return this.claims.length !== before;
  }

  students(): Array<{ name: string; claimedAt: string }> {
    return this.claims.map(({ name, claimedAt }) => ({ name, claimedAt }));
  }

  private find(name: string): Claim | undefined {
    return this.claims.find((c) => nameKey(c.name) === nameKey(name));
  }

  private load() {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return; // no class has been served from this data folder yet
    }
    let parsed;
    try {
      parsed = LabFile.safeParse(JSON.parse(text));
    } catch {
      parsed = null;
    }
    if (!parsed?.success) {
      // Names and hashes only: set the damaged file aside and start an empty class.
      try {
        renameSync(this.file, `${this.file}.damaged-${Date.now()}`);
      } catch {
        /* left in place; overwritten at the next claim */
      }
      return;
    }
    this.claims = parsed.data.claims;
    this.sharedResults = parsed.data.shared;
  }

  /** Atomic: a temp file renamed over the old one. */
  private save() {
    mkdirSync(join(this.opts.dataDir, 'lab'), { recursive: true });
    const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: 1, shared: this.sharedResults, claims: this.claims } satisfies z.input<typeof LabFile>, null, 2) + '\n');
    renameSync(tmp, this.file);
  }
}
