// When the lesson view must (re)load a lesson and its saved position. Positions are per student,
// so a change of student opens the lesson again; but the settings arriving after the first lesson
// opened is no change (the server already answered for the current student), and opening again
// then would throw away the page the student has just turned to.

export interface Shown {
  lessonId: string;
  /** undefined until the settings have loaded. */
  student: string | undefined;
}

export function needsOpen(shown: Shown | null, next: Shown): boolean {
  if (!shown || shown.lessonId !== next.lessonId) return true;
  return shown.student !== undefined && shown.student !== next.student;
}
