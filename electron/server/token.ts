// The per-launch secret that browser mode requires on every request.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const newToken = () => randomBytes(24).toString('base64url');

/** Constant-time comparison; hashing first makes both sides the same length. */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (!given) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

export function cookieToken(cookieHeader: string | undefined): string | null {
  const match = /(?:^|;\s*)tl_token=([^;]+)/.exec(cookieHeader ?? '');
  return match ? decodeURIComponent(match[1]) : null;
}
