import { describe, expect, it } from 'vitest';
import { parseArgs } from './run.js';

describe('bench arguments', () => {
  it('takes suite names and --quick, and refuses an unknown option', () => {
    expect(parseArgs([])).toEqual({ only: [], quick: false });
    expect(parseArgs(['--quick', 'training'])).toEqual({ only: ['training'], quick: true });
    expect(() => parseArgs(['--fast'])).toThrow('unknown bench option --fast (known: --quick)');
  });
});
