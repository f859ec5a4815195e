// The guided lesson's steps and the rule for counting a finished run towards them, kept pure so the
// rules can be tested without a server. The pair of runs is identified by a tag (the guided state's
// `pairId`) that the guide puts on each run it counts, so the two runs may come from two separate
// Train submissions or from one "train both".
import { STRATEGY_LABEL, type GuidedState, type RunSummary, type Strategy } from '../../../electron/contract/index.js';
import { NO_TEST_SCORE, summaryTestText } from '../../lib/runs/accuracy.js';

export const GUIDED_STEPS = [
  { id: 'read', title: 'Read the lesson' },
  { id: 'answer', title: 'Answer the flowchart' },
  { id: 'train-recommended', title: 'Train the recommendation' },
  { id: 'train-other', title: 'Train the other strategy' },
  { id: 'compare', title: 'Compare the pair' },
  // One pair is one size: the sweep shows where the advice holds across sizes, before the reflection.
  { id: 'test-flowchart', title: 'Test the flowchart' },
  { id: 'reflect', title: 'Reflect' },
] as const;
export const STEP = { read: 0, answer: 1, trainRecommended: 2, trainOther: 3, compare: 4, testFlowchart: 5, reflect: 6, done: 7 } as const;

export const REFLECTION_QUESTION = "Did the flowchart's advice hold here? Why?";

type RunLike = Pick<RunSummary, 'id' | 'status' | 'strategy' | 'datasetId' | 'backboneId' | 'studentName'>;

export const otherStrategy = (s: Strategy): Strategy => (s === 'feature-extraction' ? 'fine-tuning' : 'feature-extraction');

/** The step the guide is at once `pairRuns` (the runs counted so far) are known. */
export function stepForPair(state: GuidedState, pairRuns: Pick<RunSummary, 'strategy'>[]): number {
  if (state.step < STEP.trainRecommended || state.step > STEP.trainOther || !state.recommendation) return state.step;
  const has = (s: Strategy) => pairRuns.some((r) => r.strategy === s);
  if (!has(state.recommendation)) return STEP.trainRecommended;
  return has(otherStrategy(state.recommendation)) ? STEP.compare : STEP.trainOther;
}

/**
 * Whether a run that just finished belongs in the guided pair: it must be completed, by this student,
 * of a strategy the pair still lacks, and on the same data set and backbone as the pair's first run.
 * Returns the reason when it does not count, for the guide to show.
 */
export function countsForPair(state: GuidedState, run: RunLike, pairRuns: RunLike[], student: string): { counts: true } | { counts: false; why: string } {
  if (!state.lessonId || !state.recommendation || state.step < STEP.trainRecommended || state.step > STEP.trainOther)
    return { counts: false, why: 'The guide is not waiting for a run.' };
  if (run.status !== 'completed') return { counts: false, why: `The run ended as "${run.status}"; train it again to continue.` };
  if (run.studentName !== student) return { counts: false, why: `That run belongs to ${run.studentName || 'no one'}, not to ${student || 'you'}.` };
  if (pairRuns.some((r) => r.id === run.id)) return { counts: false, why: 'That run is already counted.' };
  if (pairRuns.some((r) => r.strategy === run.strategy)) return { counts: false, why: `The pair already has a ${run.strategy} run.` };
  const first = pairRuns[0];
  if (first && (first.datasetId !== run.datasetId || first.backboneId !== run.backboneId))
    return { counts: false, why: `To compare fairly, train on ${first.datasetId} with ${first.backboneId}, like the first run.` };
  return { counts: true };
}

/**
 * The pair's test accuracies in one line, quoted above the reflection and saved with it, feature
 * extraction first: "Test accuracy: feature extraction 84.0 % (81.6–86.2, n = 1,000); fine-tuning …".
 */
export function pairEvidence(pairRuns: Pick<RunSummary, 'strategy' | 'testAcc' | 'testLow' | 'testHigh' | 'testN'>[]): string | null {
  if (pairRuns.length === 0) return null;
  const order = (s: Strategy) => (s === 'feature-extraction' ? 0 : 1);
  const parts = [...pairRuns].sort((a, b) => order(a.strategy) - order(b.strategy))
    .map((r) => `${STRATEGY_LABEL[r.strategy].toLowerCase()} ${r.testAcc == null ? NO_TEST_SCORE : summaryTestText(r)}`);
  return `Test accuracy: ${parts.join('; ')}.`;
}
