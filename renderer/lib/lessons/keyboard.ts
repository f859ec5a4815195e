// Slide navigation keys, as a pure function so the rules are easy to test and to read.
//   → PageDown Space: next page · ← PageUp Shift+Space: previous · Home / End: first / last.
// PageUp/PageDown are what presentation clickers send; ↑/↓ are left to scroll a long page.
// Keys typed into a form field, or Space on a button (which presses the button), are left alone.

export interface KeyLike {
  key: string;
  shiftKey?: boolean;
  altKey?: boolean;
  ctrlKey?: boolean;
  metaKey?: boolean;
  target?: EventTarget | null;
}

const TYPING = new Set(['INPUT', 'TEXTAREA', 'SELECT']);
const PRESSABLE = new Set(['BUTTON', 'A', 'SUMMARY']);

function tagOf(target: EventTarget | null | undefined): { tag: string; editable: boolean } {
  const el = target as (HTMLElement & { isContentEditable?: boolean }) | null | undefined;
  return { tag: el?.tagName ?? '', editable: !!el?.isContentEditable };
}

/** The page to show after `e`, or null when the key does not navigate (or is not ours to take). */
export function pageForKey(e: KeyLike, page: number, count: number): number | null {
  if (count <= 0 || e.altKey || e.ctrlKey || e.metaKey) return null;
  const { tag, editable } = tagOf(e.target);
  if (TYPING.has(tag) || editable) return null;
  const last = count - 1;
  let next: number;
  switch (e.key) {
    case 'ArrowRight': case 'PageDown': next = page + 1; break;
    case 'ArrowLeft': case 'PageUp': next = page - 1; break;
    case ' ': case 'Spacebar':
      if (PRESSABLE.has(tag)) return null;
      next = e.shiftKey ? page - 1 : page + 1;
      break;
    case 'Home': next = 0; break;
    case 'End': next = last; break;
    default: return null;
  }
  return Math.max(0, Math.min(last, next));
}
