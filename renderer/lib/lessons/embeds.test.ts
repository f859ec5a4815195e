import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pageSegments } from './embeds.js';
import { renderMarkdown } from './markdown.js';
import { pageForKey } from './keyboard.js';

describe('pageSegments', () => {
  it('turns tl- blocks into live elements between rendered Markdown', () => {
    const segs = pageSegments([
      '# Title', 'text', '```tl-flowchart', '```', 'between',
      '```tl-try', '{ "label": "Go", "strategy": "both", "dataset": { "id": "digits", "perClass": 50 } }', '```',
      '```tl-my-runs', '{ "limit": 5 }', '```',
    ].join('\n'));
    expect(segs.map((s) => s.kind)).toEqual(['html', 'flowchart', 'html', 'try', 'my-runs']);
    expect(segs[1]).toEqual({ kind: 'flowchart', config: {} });
    expect(segs[3]).toMatchObject({ kind: 'try', config: { label: 'Go', strategy: 'both', dataset: { id: 'digits', perClass: 50 } } });
    expect(segs[4]).toEqual({ kind: 'my-runs', config: { limit: 5 } });
  });

  it('sets only what a block names, and reads a comparison of variants', () => {
    const [plain] = pageSegments('```tl-try\n{ "strategy": "fine-tuning" }\n```');
    expect(plain).toEqual({ kind: 'try', config: { strategy: 'fine-tuning' } });
    const [cmp] = pageSegments([
      '```tl-try',
      '{ "label": "BN", "strategy": "fine-tuning", "seeds": 2, "variants": [{ "label": "batch statistics", "unfrozenBatchNorm": "batch-statistics" }, { "label": "inference mode", "unfrozenBatchNorm": "inference" }] }',
      '```',
    ].join('\n'));
    expect(cmp).toEqual({ kind: 'try', config: { label: 'BN', strategy: 'fine-tuning', seeds: 2, variants: [
      { label: 'batch statistics', unfrozenBatchNorm: 'batch-statistics' }, { label: 'inference mode', unfrozenBatchNorm: 'inference' },
    ] } });
    const [one] = pageSegments('```tl-try\n{ "variants": [{ "label": "only" }] }\n```');
    expect(one.kind === 'error' && one.message).toMatch(/tl-try.*"variants"/);
  });

  it('reports bad blocks in place with the field at fault', () => {
    const segs = pageSegments('```tl-try\n{ "strategy": "fast" }\n```\n```tl-flowchart\n{oops\n```\n```tl-my-runs\n{}');
    expect(segs.map((s) => s.kind)).toEqual(['error', 'error', 'error']);
    const messages = segs.map((s) => (s.kind === 'error' ? s.message : ''));
    expect(messages[0]).toMatch(/tl-try.*"strategy"/);
    expect(messages[1]).toMatch(/JSON is invalid/);
    expect(messages[2]).toMatch(/missing its closing/);
  });

  it('reads a tl-sweep block: a shipped sweep by data set, or the student\'s newest', () => {
    const segs = pageSegments('```tl-sweep\n{ "shipped": "digits", "caption": "Digits" }\n```\n```tl-sweep\n```\n```tl-sweep\n{ "shipped": "../x" }\n```');
    expect(segs.slice(0, 2)).toEqual([{ kind: 'sweep', config: { shipped: 'digits', caption: 'Digits' } }, { kind: 'sweep', config: {} }]);
    expect(segs[2].kind === 'error' && segs[2].message).toMatch(/tl-sweep.*"shipped"/);
  });

  it('leaves tl- text inside other code blocks alone', () => {
    const segs = pageSegments('````markdown\n```tl-try\n{}\n```\n````');
    expect(segs).toHaveLength(1);
    expect(segs[0].kind).toBe('html');
  });
});

describe('the shipped lessons', () => {
  // Vitest runs from the repository root.
  const dir = join(process.cwd(), 'resources/lessons');
  const lessons = readdirSync(dir).filter((f) => /^\d.*\.md$/.test(f));
  it.each(lessons)('%s: every live block parses', (file) => {
    const errors = pageSegments(readFileSync(join(dir, file), 'utf8')).filter((s) => s.kind === 'error');
    expect(errors).toEqual([]);
  });

  it('lesson 2 starts a real comparison of the two unfrozen-BatchNorm modes', () => {
    const tries = pageSegments(readFileSync(join(dir, '02-fine-tuning-practice.md'), 'utf8')).filter((s) => s.kind === 'try');
    const comparison = tries.find((s) => s.kind === 'try' && s.config.variants);
    expect(comparison?.kind === 'try' && comparison.config.variants?.map((v) => v.unfrozenBatchNorm)).toEqual(['batch-statistics', 'inference']);
  });
});

describe('renderMarkdown', () => {
  it('highlights code, keeps two-column layout, strips script', () => {
    const html = renderMarkdown('<div class="columns"><div>\n\n```python\nimport torch\n```\n\n</div></div>\n\n<script>alert(1)</script><img src=x onerror="alert(1)">');
    expect(html).toContain('<div class="columns"><div>');
    expect(html).toContain('hljs-keyword');
    expect(html).toContain('data-lang="Python"');
    expect(html).not.toMatch(/<script|onerror/);
  });
});

describe('pageForKey', () => {
  const button = { tagName: 'BUTTON' } as unknown as EventTarget;
  const input = { tagName: 'INPUT' } as unknown as EventTarget;
  it.each([
    ['ArrowRight', false, 3], ['ArrowLeft', false, 1], [' ', false, 3], [' ', true, 1],
    ['PageDown', false, 3], ['PageUp', false, 1], ['Home', false, 0], ['End', false, 4], ['x', false, null], ['ArrowDown', false, null],
  ] as const)('%s (shift %s) from page 2 of 5 → %s', (key, shiftKey, page) => expect(pageForKey({ key, shiftKey }, 2, 5)).toBe(page));
  it('stays inside the lesson', () => {
    expect(pageForKey({ key: 'ArrowRight' }, 4, 5)).toBe(4);
    expect(pageForKey({ key: 'ArrowLeft' }, 0, 5)).toBe(0);
  });
  it('leaves form fields, pressed buttons and shortcuts alone', () => {
    expect(pageForKey({ key: 'ArrowRight', target: input }, 2, 5)).toBeNull();
    expect(pageForKey({ key: ' ', target: button }, 2, 5)).toBeNull();
    expect(pageForKey({ key: 'ArrowRight', target: button }, 2, 5)).toBe(3);
    expect(pageForKey({ key: 'ArrowRight', ctrlKey: true }, 2, 5)).toBeNull();
  });
});
