import { describe, expect, it } from 'vitest';
import type { GuidedState } from '../../../electron/contract/index.js';
import { countsForPair, GUIDED_STEPS, pairEvidence, STEP, stepForPair } from './guided-steps.js';

const state = (over: Partial<GuidedState> = {}): GuidedState => ({
  step: STEP.trainRecommended, lessonId: '01-two-strategies', pairId: 'guided-x', recommendation: 'feature-extraction', reflection: null, ...over,
});
const run = (id: string, strategy: 'feature-extraction' | 'fine-tuning', over: object = {}) => ({
  id, strategy, status: 'completed' as const, datasetId: 'fashion-target', backboneId: 'tl-resnet-s', studentName: 'ada', ...over,
});

describe('guided pair', () => {
  it('moves from the recommendation to the other strategy to comparing', () => {
    expect(stepForPair(state(), [])).toBe(STEP.trainRecommended);
    expect(stepForPair(state(), [run('a', 'feature-extraction')])).toBe(STEP.trainOther);
    expect(stepForPair(state(), [run('b', 'fine-tuning')])).toBe(STEP.trainRecommended);
    expect(stepForPair(state(), [run('a', 'feature-extraction'), run('b', 'fine-tuning')])).toBe(STEP.compare);
    expect(stepForPair(state({ step: STEP.reflect }), [])).toBe(STEP.reflect);
  });

  it('counts only finished runs of this student, one per strategy, on the same data', () => {
    const first = [run('a', 'feature-extraction')];
    expect(countsForPair(state(), run('a', 'feature-extraction'), [], 'ada')).toEqual({ counts: true });
    expect(countsForPair(state(), run('b', 'fine-tuning'), first, 'ada')).toEqual({ counts: true });
    const no = (r: ReturnType<typeof run>, pair = first, s = state()) => {
      const out = countsForPair(s, r, pair, 'ada');
      return out.counts ? '' : out.why;
    };
    expect(no(run('b', 'fine-tuning', { status: 'failed' }))).toMatch(/failed/);
    expect(no(run('b', 'fine-tuning', { studentName: 'grace' }))).toMatch(/grace/);
    expect(no(run('b', 'feature-extraction'))).toMatch(/already has/);
    expect(no(run('b', 'fine-tuning', { datasetId: 'digits' }))).toMatch(/train on fashion-target/);
    expect(no(run('b', 'fine-tuning'), first, state({ step: STEP.compare }))).toMatch(/not waiting/);
  });
});

describe('the reflection', () => {
  it('quotes the pair\'s test accuracy with intervals, feature extraction first', () => {
    const score = (testAcc: number | null) => ({ testAcc, testLow: testAcc && testAcc - 0.02, testHigh: testAcc && testAcc + 0.02, testN: testAcc && 1000 });
    expect(pairEvidence([{ strategy: 'fine-tuning', ...score(0.902) }, { strategy: 'feature-extraction', ...score(0.838) }]))
      .toBe('Test accuracy: feature extraction 83.8 % (81.8–85.8, n = 1,000); fine-tuning 90.2 % (88.2–92.2, n = 1,000).');
    expect(pairEvidence([{ strategy: 'fine-tuning', ...score(null) }])).toBe('Test accuracy: fine-tuning no test score (recorded before the test set).');
    expect(pairEvidence([])).toBeNull();
  });
});

describe('the steps', () => {
  it('test the flowchart right after comparing the pair, before the reflection', () => {
    const ids = GUIDED_STEPS.map((s) => s.id);
    expect(ids.indexOf('test-flowchart')).toBe(ids.indexOf('compare') + 1);
    expect(GUIDED_STEPS[STEP.testFlowchart].title).toBe('Test the flowchart');
    expect([STEP.compare, STEP.testFlowchart, STEP.reflect, STEP.done]).toEqual([4, 5, 6, GUIDED_STEPS.length]);
    // A finished pair still moves the guide to comparing; the sweep step follows from there.
    expect(stepForPair(state({ step: STEP.trainOther }), [run('a', 'feature-extraction'), run('b', 'fine-tuning')])).toBe(STEP.compare);
    expect(stepForPair(state({ step: STEP.testFlowchart }), [])).toBe(STEP.testFlowchart);
  });
});
