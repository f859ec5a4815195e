import { describe, expect, it } from 'vitest';
import { assetKey, cookieValue, newToken, tokenMatches } from './token.js';

describe('token and cookie', () => {
  it('reads a cookie among others and treats undecodable values as absent, without throwing', () => {
    expect(cookieValue('a=1; tl_assets_80=abc%2Dd; b=2', 'tl_assets_80')).toBe('abc-d');
    expect(cookieValue('xtl_assets_80=abc', 'tl_assets_80')).toBeNull();
    expect(cookieValue(undefined, 'tl_assets_80')).toBeNull();
    for (const bad of ['%', '%E0%A4%A', '%ZZ']) expect(cookieValue(`tl_assets_80=${bad}`, 'tl_assets_80')).toBeNull();
  });

  it('derives an asset key that neither is nor matches the token', () => {
    const token = newToken();
    expect(assetKey(token)).not.toContain(token);
    expect(tokenMatches(token, assetKey(token))).toBe(false);
    expect(assetKey(token)).toBe(assetKey(token));
    expect(assetKey(token)).not.toBe(assetKey(newToken()));
  });
});
