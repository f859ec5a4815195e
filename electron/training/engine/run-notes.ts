// What a finished run says about itself beside its numbers: why it stopped, how its unfrozen
// BatchNorm layers behaved, and how far to trust its test score.
import type { StopReason, TestScore, TrainConfig } from '../../contract/index.js';
import { SMALL_TEST_SET, TEST_FRACTION } from '../../datasets/stratify.js';
import type { SplitModel } from './graph.js';
import type { PhaseOutcome } from './loop.js';

/** Why the main phase (feature extraction's head, fine-tuning's unfreezing) ended. */
export function stopReasonOf(main: PhaseOutcome): StopReason {
  const last = main.epochs.at(-1)?.epoch ?? 0;
  return { kind: main.stoppedEarly ? 'early-stopping' : 'epoch-cap', epoch: last, cap: main.cap };
}

export function stopNote(stopped: StopReason, config: TrainConfig): string {
  if (stopped.kind === 'early-stopping') {
    return `Stopped by early stopping at epoch ${stopped.epoch} of at most ${stopped.cap}: validation loss had not improved for ${config.earlyStopping.patience} epochs.`;
  }
  return config.earlyStopping.enabled
    ? `Ran to the epoch cap (${stopped.cap} epochs) without early stopping: validation loss was still improving, so more epochs might still help.`
    : `Ran to the epoch cap (${stopped.cap} epochs); early stopping was off.`;
}

/** Which BatchNorm behaviour ran in the unfrozen part, when it holds BatchNorm layers. */
export function unfrozenBatchNormNote(split: SplitModel | null, config: TrainConfig): string | null {
  const bn = split?.trainableLayers.filter((l) => l.getClassName() === 'BatchNormalization').length ?? 0;
  if (!bn) return null;
  return config.unfrozenBatchNorm === 'inference'
    ? `The ${bn} unfrozen BatchNorm layers ran in inference mode (Keras' recommendation): they normalised with their pretrained moving statistics and kept them; only their scale and offset trained.`
    : `The ${bn} unfrozen BatchNorm layers normalised each batch with its own statistics and updated their moving averages (tfjs' default).`;
}

export function testNotes(test: TestScore, valN: number): string[] {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const notes = [`Scored on ${test.n} test images that neither training nor any choice saw (the ${valN} validation images chose the best epoch): ${pct(test.accuracy)}, 95 % interval ${pct(test.low)} to ${pct(test.high)}.`];
  if (test.n < SMALL_TEST_SET) {
    notes.push(`Small test set: only ${test.n} images, so the test accuracy is uncertain by about ±${(((test.high - test.low) / 2) * 100).toFixed(0)} points. Add images for a firmer answer: every class gives ${TEST_FRACTION * 100} % of its images to the test set, so about ${SMALL_TEST_SET / TEST_FRACTION} images in all give ${SMALL_TEST_SET} test images.`);
  }
  return notes;
}
