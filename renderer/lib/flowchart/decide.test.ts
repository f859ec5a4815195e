import { describe, expect, it } from 'vitest';
import { STRATEGY_LABEL } from '../../../electron/contract/index.js';
import { decide, describeDecision, EDGES, sizeOf, type Answers, type Compute, type Similarity } from './decide.js';

const sims: Similarity[] = ['very-similar', 'somewhat-similar', 'very-different'];
const computes: Compute[] = ['limited', 'ample'];
const route = (a: Answers) => decide(a).path.map((e) => `${e.from}=${e.answer}`).join(' > ');

describe('sizeOf', () => {
  it.each([
    [0, 'small'], [999, 'small'], [1_000, 'medium'], [5_000, 'medium'], [10_000, 'medium'], [10_001, 'large'], [1e6, 'large'],
  ] as const)('%d images → %s', (n, size) => expect(sizeOf(n)).toBe(size));
  it('rejects impossible counts', () => {
    expect(() => sizeOf(-1)).toThrow(/count of 0 or more/);
    expect(() => sizeOf(Number.NaN)).toThrow(/count/);
  });
});

describe('decide: every path of the tree', () => {
  // All 3 × 3 × 2 answer combinations with the path and leaf each must reach.
  const table: [number, Similarity, Compute, string, string][] = [];
  for (const s of sims) for (const c of computes) table.push([500, s, c, 'images=small', 'feature-extraction']);
  for (const c of computes) table.push([5_000, 'very-similar', c, 'images=medium > similarity=very-similar', 'feature-extraction']);
  for (const s of ['somewhat-similar', 'very-different'] as const) {
    table.push([5_000, s, 'limited', `images=medium > similarity=${s} > compute=limited`, 'feature-extraction']);
    table.push([5_000, s, 'ample', `images=medium > similarity=${s} > compute=ample`, 'fine-tuning']);
  }
  for (const s of sims) {
    table.push([50_000, s, 'limited', 'images=large > compute=limited', 'feature-extraction']);
    table.push([50_000, s, 'ample', 'images=large > compute=ample', 'fine-tuning']);
  }

  it('covers all 18 combinations', () => expect(table).toHaveLength(18));
  it.each(table)('%d images, %s, %s compute → %s → %s', (images, similarity, compute, path, rec) => {
    const a = { images, similarity, compute };
    const d = decide(a);
    expect(route(a)).toBe(path);
    expect(d.recommendation).toBe(rec);
    expect(d.other).not.toBe(rec);
    expect(d.reasons).toHaveLength(d.path.length);
    expect(describeDecision(d, a)).toContain(`→ ${STRATEGY_LABEL[d.recommendation].toLowerCase()}`);
  });

  it('uses every edge of the tree at least once', () => {
    const used = new Set(table.map(([images, similarity, compute]) => decide({ images, similarity, compute }).path).flat());
    expect(used.size).toBe(EDGES.length);
  });
});

describe('decide: boundary values', () => {
  const at = (images: number) => decide({ images, similarity: 'very-different', compute: 'ample' });
  it('999 is small: feature extraction, with the conflicting domain explained', () => {
    const d = at(999);
    expect([d.size, d.recommendation]).toEqual(['small', 'feature-extraction']);
    expect(d.reasons[0]).toContain('999 images is fewer than 1,000');
    expect(d.notes.join(' ')).toMatch(/very different.*data size wins/);
  });
  it('1,000 and 10,000 are medium: the domain decides, then compute', () => {
    for (const n of [1_000, 10_000]) {
      const d = at(n);
      expect([d.size, d.recommendation]).toEqual(['medium', 'fine-tuning']);
      expect(d.path.map((e) => e.from)).toEqual(['images', 'similarity', 'compute']);
    }
    expect(decide({ images: 10_000, similarity: 'very-similar', compute: 'ample' }).recommendation).toBe('feature-extraction');
  });
  it('10,001 is large: straight to compute', () => {
    const d = decide({ images: 10_001, similarity: 'very-similar', compute: 'ample' });
    expect([d.size, d.recommendation]).toEqual(['large', 'fine-tuning']);
    expect(d.path.map((e) => e.from)).toEqual(['images', 'compute']);
    expect(d.notes.join(' ')).toMatch(/very similar/);
  });
  it('limited compute on a large, very different set recommends feature extraction and says what it costs', () => {
    const d = decide({ images: 20_000, similarity: 'very-different', compute: 'limited' });
    expect(d.recommendation).toBe('feature-extraction');
    expect(d.notes.join(' ')).toMatch(/more compute/);
  });
});
