// Two ends of an in-memory WindowLink, for tests of the window worker and its host: every message
// is structured-cloned (typed arrays arrive as copies, as over a MessagePort) and delivered on a
// later turn of the event loop; close() on either end closes both, with the reason.
import type { FromWindow, ToWindow, WindowLink } from '../../../worker-protocol/window.js';

export interface LinkPair {
  host: WindowLink<ToWindow>;
  window: WindowLink<FromWindow>;
  /** Everything the window posted, in order (for assertions). */
  fromWindow: unknown[];
  /** Closes both ends as the carrier would when the tab or window went away. */
  drop(reason: string): void;
}

export function windowLinkPair(): LinkPair {
  type End = { handlers: Array<(raw: unknown) => void>; closers: Array<(reason: string) => void> };
  const a: End = { handlers: [], closers: [] };
  const b: End = { handlers: [], closers: [] };
  const fromWindow: unknown[] = [];
  let closed = false;
  const drop = (reason: string) => {
    if (closed) return;
    closed = true;
    setImmediate(() => { for (const end of [a, b]) for (const c of end.closers) c(reason); });
  };
  const end = (mine: End, other: End, record?: unknown[]) => ({
    post(message: unknown) {
      if (closed) return;
      const copy = structuredClone(message);
      record?.push(copy);
      setImmediate(() => { if (!closed) for (const h of other.handlers) h(copy); });
    },
    onMessage(handler: (raw: unknown) => void) { mine.handlers.push(handler); },
    onClose(handler: (reason: string) => void) { mine.closers.push(handler); },
    close() { drop('the other end closed the link'); },
  });
  return { host: end(a, b), window: end(b, a, fromWindow), fromWindow, drop };
}
