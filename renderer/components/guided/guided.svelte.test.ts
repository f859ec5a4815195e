import { describe, expect, it } from 'vitest';
import type { GuidedState, WireResponse } from '../../../electron/contract/index.js';
import { STEP } from './guided-steps.js';

let stored: GuidedState;
const sets: unknown[] = [];
// The real api client, talking to a stand-in for the desktop preload bridge.
window.transferLab = {
  async invoke(method: string, params: unknown): Promise<WireResponse> {
    if (method === 'guided.set') {
      sets.push(params);
      stored = { ...stored, ...(params as Partial<GuidedState>) };
    }
    const result = method === 'guided.get' || method === 'guided.set' ? stored : method === 'runs.list' ? { runs: [], total: 0 } : null;
    return { id: 0, ok: true, result };
  },
  on: () => () => undefined,
};

describe('guided progress saved before "Test the flowchart" was a step', () => {
  it('a finished lesson (step 6 with its reflection saved) is shown finished, not asked to reflect again', async () => {
    const { guided } = await import('./guided.svelte.js');
    stored = { step: 6, lessonId: '01-two-strategies', pairId: 'guided-x', recommendation: 'feature-extraction', reflection: 'FE held.' };
    await guided.ensureLoaded();
    expect(guided.step).toBe(STEP.done);
    expect(sets).toEqual([{ step: STEP.done }]);
  });
});
