import { describe, expect, it } from 'vitest';
import { measureScaling, trainingLoop } from './machine-scaling.js';

describe("the machine's scaling ceiling", () => {
  it('times the loop alone and n at once, and relates them as n at once ÷ n one after another', async () => {
    const s = await measureScaling(2, 1);
    expect(s.processes).toBe(2);
    expect(s.aloneS).toBeGreaterThan(0);
    expect(s.togetherS).toBeGreaterThan(0);
    expect(s.ceiling).toBeCloseTo(s.togetherS / (2 * s.aloneS), 12);
  });

  it('runs warm copies of the training loop together, each timing its own steps', async () => {
    const s = await measureScaling(2, 1, trainingLoop(3));
    expect(s.aloneS).toBeGreaterThan(0);
    expect(s.togetherS).toBeGreaterThan(0);
    expect(s.ceiling).toBeCloseTo(s.togetherS / (2 * s.aloneS), 12);
  }, 60_000);
});
