import { describe, expect, it } from 'vitest';
import { unpackCorrect, wilson } from '../../contract/stats.js';
import { scoreTest, testSetId } from './results.js';

describe('scoreTest', () => {
  it('scores test images with a Wilson interval, per-image flags and an id for exactly these images', () => {
    // 2 classes, 5 images: predictions right, right, wrong, right, wrong.
    const probs = Float32Array.from([0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.3, 0.7, 0.1, 0.9]);
    const pred = { probs, numClasses: 2, predicted: Int32Array.from([0, 1, 0, 1, 1]) };
    const labels = Int32Array.from([0, 1, 1, 1, 0]);
    const ids = ['d:5', 'd:6', 'd:7', 'd:8', 'd:9'];
    const t = scoreTest(pred, labels, ids, 'd');
    expect(t).toMatchObject({ n: 5, correct: 3, accuracy: 0.6, ...wilson(3, 5), confusion: [[1, 1], [1, 2]], misclassified: [{ sampleId: 'd:7', actual: 1, predicted: 0 }, { sampleId: 'd:9', actual: 0, predicted: 1 }] });
    expect(unpackCorrect(t.correctFlags, 5)).toEqual([true, true, false, true, false]);
    expect(t.setId).toBe(testSetId('d', ids));
    expect(testSetId('d', [...ids].reverse())).not.toBe(t.setId);
    expect(testSetId('other', ids)).not.toBe(t.setId);
  });
});
