// Refuses folders a classifier cannot be trained on, and then names every problem of the folder in
// the one message (too few classes, empty classes, skipped files), so a student fixes it in one go.
import type { SkippedFile } from './folder-walk.js';

const NAMES_PER_REASON = 3;
const MAX_REASONS = 8;

const plural = (n: number, one: string, many = one + 's') => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
const belongsTo = (c: string) => (s: SkippedFile) => s.file === c || s.file.startsWith(c + '/');

/** "reason: a, b, c and 4 more; other reason: d", the most common reasons first. */
export function summariseSkipped(skipped: SkippedFile[]): string {
  const byReason = new Map<string, string[]>();
  for (const s of skipped) byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), s.file]);
  const groups = [...byReason].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
  const shown = groups.slice(0, MAX_REASONS).map(([reason, files]) => {
    const names = [...files].sort().slice(0, NAMES_PER_REASON).join(', ');
    return `${reason}: ${names}${files.length > NAMES_PER_REASON ? ` and ${files.length - NAMES_PER_REASON} more` : ''}`;
  });
  const rest = groups.slice(MAX_REASONS).reduce((n, [, files]) => n + files.length, 0);
  return shown.join('; ') + (rest ? `; and ${plural(rest, 'file')} for other reasons` : '');
}

/** Throws one error listing every problem when the folder has fewer than 2 classes or an empty class. */
export function checkClasses(path: string, classes: string[], counts: number[], skipped: SkippedFile[]): void {
  const problems: string[] = [];
  if (classes.length < 2) {
    const found = classes.length === 0 ? 'no class subfolders' : `only one class subfolder ("${classes[0]}")`;
    problems.push(`${path} has ${found}. A classifier needs at least 2 classes: put each class's images in its own subfolder.`);
  }
  const empty = classes.filter((_, i) => counts[i] === 0);
  for (const c of empty) {
    const mine = skipped.filter(belongsTo(c)).length;
    problems.push(`Class "${c}" has no usable images (${mine === 0 ? 'the folder is empty' : mine === 1 ? 'its only file was skipped' : `all ${mine} of its files were skipped`}).`);
  }
  if (problems.length === 0) return;
  if (empty.length) problems.push('Remove the empty class folder or add images to it.');
  if (skipped.length) problems.push(`${plural(skipped.length, 'file was', 'files were')} skipped: ${summariseSkipped(skipped)}.`);
  throw new Error(problems.join(' '));
}
