import { describe, expect, it } from 'vitest';
import { needsOpen } from './reopen.js';

describe('needsOpen', () => {
  it('opens the first lesson and any other lesson chosen', () => {
    expect(needsOpen(null, { lessonId: 'a', student: undefined })).toBe(true);
    expect(needsOpen({ lessonId: 'a', student: 'Ada' }, { lessonId: 'b', student: 'Ada' })).toBe(true);
  });

  it('keeps the page the student turned to when the settings arrive after the lesson opened', () => {
    expect(needsOpen({ lessonId: 'a', student: undefined }, { lessonId: 'a', student: '' })).toBe(false);
    expect(needsOpen({ lessonId: 'a', student: undefined }, { lessonId: 'a', student: 'Ada' })).toBe(false);
    expect(needsOpen({ lessonId: 'a', student: 'Ada' }, { lessonId: 'a', student: 'Ada' })).toBe(false);
  });

  it('opens again at the saved page when another student takes over', () => {
    expect(needsOpen({ lessonId: 'a', student: '' }, { lessonId: 'a', student: 'Grace' })).toBe(true);
    expect(needsOpen({ lessonId: 'a', student: 'Ada' }, { lessonId: 'a', student: 'Grace' })).toBe(true);
  });
});
