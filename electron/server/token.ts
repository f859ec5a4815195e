// The per-launch secret that browser mode requires, and the cookie that lets the page load its own
// assets. Cookies are not scoped by port, so every other server on this host the browser visits
// receives that cookie: it therefore carries a key derived from the token (good for the renderer's
// static files only), never the token itself, and is named after the port so that two instances
// do not overwrite each other's.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const newToken = () => randomBytes(24).toString('base64url');

/** Constant-time comparison; hashing first makes both sides the same length. */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (!given) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

export const assetCookieName = (port: number) => `tl_assets_${port}`;

/** Opens the static files and nothing else; the token cannot be recovered from it. */
export const assetKey = (token: string) => createHmac('sha256', token).update('transfer-lab static assets').digest('base64url');

/** The value of one cookie, or null when absent or not decodable. Never throws. */
export function cookieValue(cookieHeader: string | undefined, name: string): string | null {
  for (const part of (cookieHeader ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return null;
    }
  }
  return null;
}
