import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Lab } from './lab.js';

const dir = () => mkdtempSync(join(tmpdir(), 'tl-lab-'));
const secretA = 'a'.repeat(32);
const secretB = 'b'.repeat(32);

describe('the class roster', () => {
  it('binds a name to the first browser that claims it; the same browser may claim it again, another may not', () => {
    const lab = new Lab({ dataDir: dir() });
    expect(lab.claim('  Ana   Lima ', secretA)).toEqual({ ok: true, student: 'Ana Lima' });
    expect(lab.claim('ana lima', secretA)).toEqual({ ok: true, student: 'Ana Lima' });
    const other = lab.claim('ANA LIMA', secretB);
    expect(other.ok).toBe(false);
    if (!other.ok) expect(other.reason).toMatch(/already taken in this class by another browser/);
    expect(lab.verify('ana lima', secretA)).toBe('Ana Lima');
    expect(lab.verify('Ana Lima', secretB)).toBeNull();
    expect(lab.verify('Ana Lima', null)).toBeNull();
    expect(lab.verify('Ben', secretA)).toBeNull();
  });

  it('refuses empty, overlong and control-character names, a short secret, and the teacher\'s name', () => {
    const lab = new Lab({ dataDir: dir(), teacherName: () => 'Dr Smith' });
    expect(lab.claim('   ', secretA)).toMatchObject({ ok: false, reason: 'Type your name first.' });
    expect(lab.claim('x'.repeat(61), secretA)).toMatchObject({ ok: false, reason: expect.stringMatching(/at most 60/) });
    expect(lab.claim('Ana\u0007', secretA)).toMatchObject({ ok: false, reason: expect.stringMatching(/control characters/) });
    expect(lab.claim('Ana', 'short')).toMatchObject({ ok: false, reason: expect.stringMatching(/no usable key/) });
    expect(lab.claim('dr smith', secretA)).toMatchObject({ ok: false, reason: expect.stringMatching(/teacher's name/) });
  });

  it('keeps claims and the share switch across restarts, never the secrets themselves', () => {
    const dataDir = dir();
    const lab = new Lab({ dataDir });
    lab.claim('Ana', secretA);
    lab.shared = true;
    expect(readFileSync(join(dataDir, 'lab', 'lab.json'), 'utf8')).not.toContain(secretA);
    const again = new Lab({ dataDir });
    expect(again.shared).toBe(true);
    expect(again.verify('Ana', secretA)).toBe('Ana');
    expect(again.claim('Ana', secretB).ok).toBe(false);
  });

  it('frees a name for the next browser', () => {
    const lab = new Lab({ dataDir: dir() });
    lab.claim('Ana', secretA);
    expect(lab.release('ANA')).toBe(true);
    expect(lab.release('Ana')).toBe(false);
    expect(lab.claim('Ana', secretB)).toEqual({ ok: true, student: 'Ana' });
  });

  it('sets a damaged file aside and starts an empty class', () => {
    const dataDir = dir();
    mkdirSync(join(dataDir, 'lab'));
    writeFileSync(join(dataDir, 'lab', 'lab.json'), '{broken');
    const lab = new Lab({ dataDir });
    expect(lab.students()).toEqual([]);
    expect(lab.claim('Ana', secretA).ok).toBe(true);
  });
});
