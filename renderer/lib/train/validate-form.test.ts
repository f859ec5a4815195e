import { describe, expect, it } from 'vitest';
import { fashionTarget, graphNet, device, shippedResnet, catalogNet, tinyFolder } from './testing/train-fixtures.js';
import { initialValues, type FormValues } from './form-values.js';
import { hasErrors, validateForm, type FormIssue } from './validate-form.js';

const base = (over: Partial<FormValues> = {}): FormValues => ({ ...initialValues('fashion-target', 'tl-resnet-s', 400), ...over });
const ctx = { dataset: fashionTarget, backbone: shippedResnet, device };
const errors = (issues: FormIssue[]) => issues.filter((i) => i.severity === 'error').map((i) => i.message);
const of = (issues: FormIssue[], severity: FormIssue['severity'], field: string) => issues.filter((i) => i.severity === severity && i.field === field);

describe('validateForm', () => {
  it('accepts the recommended feature-extraction set-up', () => {
    expect(errors(validateForm(base(), ctx))).toEqual([]);
  });

  it('refuses fine-tuning (and "both") with a graph model', () => {
    for (const strategy of ['fine-tuning', 'both'] as const) {
      const issues = validateForm(base({ strategy, backboneId: 'graph-net' }), { ...ctx, backbone: graphNet });
      expect(of(issues, 'error', 'strategy')[0]?.message).toMatch(/Graph Net is a graph model: it can only serve as a frozen feature extractor/);
    }
    expect(hasErrors(validateForm(base({ backboneId: 'graph-net' }), { ...ctx, backbone: graphNet }))).toBe(false);
  });

  it('refuses a batch larger than the training set and says how large it may be', () => {
    const issues = validateForm(base({ datasetId: 'folder-1', batchSize: 19 }), { ...ctx, dataset: tinyFolder });
    expect(of(issues, 'error', 'batchSize')[0]?.message).toBe('Batch size 19 is larger than the training set (18 images after holding out 20 % for validation). Use at most 18.');
    expect(hasErrors(validateForm(base({ datasetId: 'folder-1', batchSize: 18 }), { ...ctx, dataset: tinyFolder }))).toBe(false);
  });

  it('counts the per-class subset, not the whole set, for the batch check', () => {
    // 4 classes × 10 per class = 40 images, 8 held out → 32 to train on.
    expect(of(validateForm(base({ perClass: 10, batchSize: 33 }), ctx), 'error', 'batchSize')).toHaveLength(1);
    expect(of(validateForm(base({ perClass: 10, batchSize: 32 }), ctx), 'error', 'batchSize')).toHaveLength(0);
  });

  it('warns about a high fine-tuning learning rate but does not block', () => {
    const issues = validateForm(base({ strategy: 'fine-tuning', learningRate: 1e-3, unfreezeBlocks: 2 }), ctx);
    expect(of(issues, 'warning', 'learningRate')[0]?.message).toMatch(/1e-3 is high for fine-tuning.*Try 1e-4 or lower/);
    expect(hasErrors(issues)).toBe(false);
    expect(of(validateForm(base({ strategy: 'fine-tuning', learningRate: 1e-4, unfreezeBlocks: 2 }), ctx), 'warning', 'learningRate')).toHaveLength(0);
  });

  it('explains out-of-range and missing numbers', () => {
    const issues = validateForm(base({ epochs: 0, batchSize: null, learningRate: 2, seed: 1.5, validationSplit: 0.9 }), ctx);
    const text = errors(issues).join('\n');
    expect(text).toMatch(/Epochs must be a whole number from 1 to 500 \(got 0\)/);
    expect(text).toMatch(/Batch size: enter a whole number/);
    expect(text).toMatch(/Learning rate must be above 0 and at most 1 \(got 2\)/);
    expect(text).toMatch(/Seed must be a whole number/);
    expect(text).toMatch(/Validation share must be between 5 % and 50 %/);
  });

  it('refuses a backbone that is not downloaded, and a data set with too few classes or an empty class', () => {
    expect(of(validateForm(base({ backboneId: catalogNet.id }), { ...ctx, backbone: catalogNet }), 'error', 'backboneId')[0]?.message).toMatch(/not downloaded yet/);
    const one = { ...tinyFolder, classes: ['cats'], counts: [12] };
    expect(errors(validateForm(base({ datasetId: one.id }), { ...ctx, dataset: one })).join()).toMatch(/has 1 class: a classifier needs at least 2/);
    const empty = { ...tinyFolder, counts: [12, 0] };
    expect(errors(validateForm(base({ datasetId: empty.id, batchSize: 4 }), { ...ctx, dataset: empty })).join()).toMatch(/Class "dogs" has no images/);
  });

  it('refuses a backend the device probe found unavailable, with its reason', () => {
    const issues = validateForm(base({ backend: 'tfjs-node-gpu' }), ctx);
    expect(of(issues, 'error', 'backend')[0]?.message).toMatch(/tfjs-node-gpu backend is not available here: CUDA 11 libraries not found/);
  });

  it('notes fine-tuning on few images and zero unfrozen blocks', () => {
    const issues = validateForm(base({ strategy: 'fine-tuning', learningRate: 1e-4, unfreezeBlocks: 0 }), ctx);
    expect(of(issues, 'warning', 'unfreezeBlocks')).toHaveLength(1);
    expect(of(issues, 'info', 'strategy')[0]?.message).toMatch(/Only 400 images/);
  });

  it('lists errors before warnings and notes', () => {
    const issues = validateForm(base({ strategy: 'fine-tuning', learningRate: 0.5, epochs: null }), ctx);
    const order = issues.map((i) => i.severity);
    expect(order.indexOf('error')).toBe(0);
    expect(order.lastIndexOf('error')).toBeLessThan(order.indexOf('warning'));
  });

  it('refuses repeats whose last seed is past the largest one, and says what a repeat trains', () => {
    const over = validateForm(base({ seed: 2_147_483_645, seeds: 5 }), ctx);
    expect(of(over, 'error', 'seeds')[0]?.message).toMatch(/Seeds 2147483645 to 2147483649 go past the largest seed/);
    const ok = validateForm(base({ seed: 7, seeds: 3 }), ctx);
    expect(of(ok, 'info', 'seeds')[0]?.message).toBe('Trains 3 runs with seeds 7 to 9; History and Compare show them together as mean ± sd.');
    expect(hasErrors(ok)).toBe(false);
  });
});
