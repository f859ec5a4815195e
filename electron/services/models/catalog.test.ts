import { describe, expect, it } from 'vitest';
import { weightUrl } from './catalog.js';

describe('weight URLs from a catalog model.json', () => {
  const json = 'https://models.example/tfjs/mobilenet_v1_0.25_224/model.json';

  it('resolve beside model.json', () => {
    expect(weightUrl('group1-shard1of2', json)).toBe('https://models.example/tfjs/mobilenet_v1_0.25_224/group1-shard1of2');
  });

  it('are refused when they lead to another host, scheme or folder', () => {
    for (const p of ['http:127.0.0.1:5396', 'http:evil.example', '//evil.example/x', '../x', '%2e%2e', '%2E%2E%2Fx', 'a%2fb', 'x?y', 'x#y', '.', 'file:///etc/passwd', 'javascript:alert(1)']) {
      expect(() => weightUrl(p, json), p).toThrow(/^model\.json names the weight file ".*", which resolves to .*, outside https:\/\/models\.example\/tfjs\/mobilenet_v1_0\.25_224\/; weight files must sit beside model\.json on the same server$/);
    }
  });
});
