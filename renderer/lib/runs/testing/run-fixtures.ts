// Runs for the History and Compare tests: a stored run as the store returns it, with a test score
// built from per-image correctness flags (so accuracy, interval and packed flags agree).
import { defaultConfig } from '../../../../electron/contract/budget.js';
import type { RunDetail, RunSummary, Strategy, TestScore } from '../../../../electron/contract/index.js';
import { packCorrect, wilson } from '../../../../electron/contract/stats.js';

/** `correct` of `n` images right; which ones is set by `offset` so two runs can disagree. */
export function flags(n: number, correct: number, offset = 0): boolean[] {
  return Array.from({ length: n }, (_, i) => (i - offset + n) % n < correct);
}

export function testScore(correctFlags: boolean[], setId = 'fashion-target:test:v1'): TestScore {
  const n = correctFlags.length;
  const correct = correctFlags.filter(Boolean).length;
  const { low, high } = wilson(correct, n);
  return {
    n, correct, accuracy: correct / n, low, high, setId, correctFlags: packCorrect(correctFlags),
    confusion: [[correct, 0], [n - correct, 0]], perClassAcc: [1, 0], misclassified: [],
  };
}

export function runSummary(id: string, strategy: Strategy, over: Partial<RunSummary> = {}): RunSummary {
  return {
    id, name: `${strategy === 'feature-extraction' ? 'FE' : 'FT'} run ${id}`, pairId: null, status: 'completed', strategy,
    backboneId: 'tl-resnet-s', datasetId: 'fashion-target', perClass: 100, studentName: 'Ada', classSession: '',
    createdAt: '2026-01-05T10:00:00.000Z', startedAt: '2026-01-05T10:00:01.000Z', finishedAt: '2026-01-05T10:01:00.000Z',
    rung: 'wasm', bestValAcc: 0.85, finalValAcc: 0.84, testAcc: null, testLow: null, testHigh: null, testN: null,
    seed: 42, repeatId: null, totalSeconds: 59, epochsDone: 10, tags: [], notes: '', error: null, ...over,
  };
}

/** A summary carrying the flat test columns of `test`. */
export function withTest(s: RunSummary, test: TestScore): RunSummary {
  return { ...s, testAcc: test.accuracy, testLow: test.low, testHigh: test.high, testN: test.n };
}

type DetailOver = Partial<Omit<RunDetail, 'config'>> & { config?: Partial<RunDetail['config']> };

export function runDetail(id: string, strategy: Strategy, test: TestScore | null, over: DetailOver = {}): RunDetail {
  const summary = test ? withTest(runSummary(id, strategy), test) : runSummary(id, strategy);
  const config = { ...defaultConfig(strategy, 500), unfrozenBatchNorm: 'batch-statistics' as const, ...over.config };
  return {
    ...summary,
    epochs: [1, 2, 3].map((epoch) => ({ epoch, phase: 'head' as const, trainLoss: 1 / epoch, trainAcc: 0.5 + epoch / 10, valLoss: 1.1 / epoch, valAcc: 0.5 + epoch / 12, seconds: 1, imagesPerSec: 400 })),
    batches: [],
    result: {
      rung: 'wasm', device: 'CPU (wasm)', trainableParams: 325, frozenParams: 7_500, peakMemoryMB: 120, bestEpoch: 3, bestValAcc: 0.85, finalValAcc: 0.84,
      totalSeconds: 59, imagesPerSec: 400, classes: ['shirt', 'shoe'], confusion: [[40, 10], [5, 45]], perClassAcc: [0.8, 0.9], misclassified: [],
      embeddingCache: 'memory', notes: [], valN: 100, test, stopped: { kind: 'early-stopping', epoch: 3, cap: 30 },
    },
    exportedModelPath: null,
    reflection: null,
    ...over,
    config,
  };
}
