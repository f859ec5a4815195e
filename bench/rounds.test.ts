import { describe, expect, it } from 'vitest';
import { median, medianRound, pairedRounds, roundsText, roundsVerdict } from './rounds.js';

describe('paired bench rounds', () => {
  it('alternates which side runs first, one result pair per round', async () => {
    const order: string[] = [];
    const side = (name: string) => async () => { order.push(name); return `${name}${order.length}`; };
    const rounds = await pairedRounds(3, side('a'), side('b'));
    expect(order).toEqual(['a', 'b', 'b', 'a', 'a', 'b']);
    expect(rounds).toEqual([{ a: 'a1', b: 'b2' }, { a: 'a4', b: 'b3' }, { a: 'a5', b: 'b6' }]);
  });

  it('takes the median of the measured ratios, the lower middle one when even, and points at its round', () => {
    expect(median([3.1, 2.6, 2.9])).toBe(2.9);
    expect(median([3, 1, 2, 4])).toBe(2);
    expect(median([undefined, NaN])).toBeUndefined();
    expect(medianRound([3.1, undefined, 2.6, 2.9])).toBe(3);
    expect(medianRound([undefined])).toBe(-1);
  });

  it('counts the rounds at or under the goal, an unmeasured round as not met', () => {
    expect(roundsVerdict([2.9, 3, 3.2, undefined], 3)).toEqual({ median: 3, met: 2, measured: 3, rounds: 4 });
    expect(roundsText([2.65, 3.1, 2.71], 3)).toBe('2.71× (median of 3 rounds: 2.65 / 3.10 / 2.71), met in 2 of 3');
    expect(roundsText([0.7], 0.6)).toBe('0.70× (1 round), met in 0 of 1');
    expect(roundsText([undefined], 3)).toBe('not measured');
  });
});
