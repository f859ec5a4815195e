import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInside, safeSegment, studentUploadDir, teacherUploadDir } from './uploads.js';

describe('upload folders', () => {
  it('makes names safe on every file system, keeping letters of any script', () => {
    expect(safeSegment('cats')).toBe('cats');
    expect(safeSegment('Zoë’s <photos>?')).toBe('Zoë_s _photos_');
    expect(safeSegment('../..')).toBeNull();
    expect(safeSegment(' .hidden. ')).toBe('hidden');
    expect(safeSegment('CON')).toBe('_CON');
    expect(safeSegment('a'.repeat(100) + '.jpeg')).toMatch(/^a{75}\.jpeg$/);
    expect(safeSegment('***')).toBeNull();
  });

  it('gives two students whose names look alike once made safe two folders, apart from the teacher\'s', () => {
    expect(studentUploadDir('/d', 'Ana/B')).not.toBe(studentUploadDir('/d', 'Ana?B'));
    expect(studentUploadDir('/d', 'Ana')).toBe(studentUploadDir('/d', 'ana'));
    expect(studentUploadDir('/d', 'teacher')).not.toBe(teacherUploadDir('/d'));
  });

  it('tells inside from outside, links resolved', () => {
    const base = mkdtempSync(join(tmpdir(), 'tl-up-'));
    mkdirSync(join(base, 'mine', 'pets'), { recursive: true });
    mkdirSync(join(base, 'other'));
    symlinkSync(join(base, 'other'), join(base, 'mine', 'link'));
    expect(isInside(join(base, 'mine'), join(base, 'mine', 'pets'))).toBe(true);
    expect(isInside(join(base, 'mine'), join(base, 'mine', 'link'))).toBe(false);
    expect(isInside(join(base, 'mine'), join(base, 'mine-too'))).toBe(false);
    expect(isInside(join(base, 'mine'), join(base, 'mine', '..', 'other'))).toBe(false);
  });
});
