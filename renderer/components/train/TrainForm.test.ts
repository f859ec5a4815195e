import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { catalogNet, device, fashionTarget, graphNet, shippedResnet, tinyFolder } from '../../lib/train/testing/train-fixtures.js';
import { TrainFormState } from '../../lib/train/train-form.svelte.js';
import TrainForm from './TrainForm.svelte';

function setup(init: ConstructorParameters<typeof TrainFormState>[0] = {}) {
  const form = new TrainFormState({ datasetId: 'fashion-target', backboneId: 'tl-resnet-s', ...init });
  const onStart = vi.fn();
  const view = render(TrainForm, {
    props: { form, datasets: [fashionTarget, tinyFolder], backbones: [shippedResnet, graphNet, catalogNet], device, onStart },
  });
  return { form, onStart, view };
}

afterEach(cleanup);

const issues = () => screen.getByTestId('form-issues');
const start = () => screen.getByTestId('start-training') as HTMLButtonElement;

describe('TrainForm', () => {
  it('starts a valid feature-extraction run with the values shown', async () => {
    const { onStart } = setup();
    expect(start().disabled).toBe(false);
    await fireEvent.input(screen.getByTestId('epochs-input'), { target: { value: '7' } });
    await fireEvent.click(start());
    expect(onStart).toHaveBeenCalledTimes(1);
    const req = onStart.mock.calls[0][0];
    expect(req.config).toMatchObject({ strategy: 'feature-extraction', backboneId: 'tl-resnet-s', dataset: { id: 'fashion-target', perClass: 100 }, epochs: 7, unfreezeBlocks: 0 });
  });

  it('shows the parameters the unfreeze slider makes trainable, live', async () => {
    setup({ strategy: 'fine-tuning' });
    const slider = screen.getByTestId('unfreeze-slider') as HTMLInputElement;
    const trainable = () => screen.getByTestId('trainable-params');
    // Stops: 0, 1, 2, 3 blocks and "all" (the stem holds 500 parameters outside the blocks).
    expect(slider.max).toBe('4');
    const head = 65 * 4;
    const expected = [head, head + 4_000, head + 6_000, head + 7_000, head + 7_500];
    for (let i = 0; i < expected.length; i++) {
      await fireEvent.input(slider, { target: { value: String(i) } });
      expect(trainable().dataset.value).toBe(String(expected[i]));
      expect(trainable().textContent).toBe(expected[i].toLocaleString('en'));
    }
    expect(screen.getByTestId('unfreeze-label').textContent).toMatch(/All layers/);
    expect(screen.getByTestId('memory-estimate').textContent).toMatch(/Estimated memory ≈ \d/);
  });

  it('refuses to fine-tune a graph model, before start', async () => {
    const { onStart } = setup({ backboneId: 'graph-net', strategy: 'fine-tuning' });
    expect(issues().textContent).toMatch(/graph model: it can only serve as a frozen feature extractor/);
    expect(start().disabled).toBe(true);
    await fireEvent.click(start());
    expect(onStart).not.toHaveBeenCalled();
    // Switching to feature extraction clears the error.
    await fireEvent.click(screen.getByDisplayValue('feature-extraction'));
    expect(issues().querySelector('[data-severity="error"]')).toBeNull();
    expect(start().disabled).toBe(false);
  });

  it('explains a batch larger than the training set', async () => {
    setup({ datasetId: 'folder-1' });
    await fireEvent.input(screen.getByTestId('batch-size-input'), { target: { value: '64' } });
    // 22 images, 20 % (4) held out for validation → 18 to train on.
    expect(issues().textContent).toMatch(/Batch size 64 is larger than the training set \(18 images/);
    expect(start().disabled).toBe(true);
  });

  it('warns (but allows) a high learning rate for fine-tuning', async () => {
    setup({ strategy: 'fine-tuning' });
    await fireEvent.input(screen.getByTestId('learning-rate-input'), { target: { value: '0.01' } });
    const warning = issues().querySelector('[data-severity="warning"][data-field="learningRate"]');
    expect(warning?.textContent).toMatch(/high for fine-tuning/);
    expect(start().disabled).toBe(false);
    expect(screen.getByTestId('lr-explained').textContent).toMatch(/ten times lower/);
  });

  it('names an empty number field', async () => {
    setup();
    await fireEvent.input(screen.getByTestId('epochs-input'), { target: { value: '' } });
    expect(issues().textContent).toMatch(/Epochs: enter a whole number from 1 to 500/);
    expect(start().disabled).toBe(true);
  });

  it('applies a preset and shows its reason', async () => {
    const form = new TrainFormState({ datasetId: 'fashion-target', backboneId: 'tl-resnet-s' });
    form.applyPreset({ strategy: 'fine-tuning', epochs: 3, unfreezeBlocks: 1, dataset: { perClass: 1000 }, reason: 'The flowchart suggests fine-tuning.' });
    render(TrainForm, { props: { form, datasets: [fashionTarget], backbones: [shippedResnet], device, onStart: vi.fn() } });
    expect(screen.getByTestId('preset-reason').textContent).toMatch(/flowchart suggests fine-tuning/);
    expect((screen.getByTestId('epochs-input') as HTMLInputElement).value).toBe('3');
    expect(screen.getByTestId('trainable-params').dataset.value).toBe(String(4_000 + 260));
  });
});

describe('TrainForm seeds and BatchNorm', () => {
  it('sends one run by default and repeats over the seeds asked for', async () => {
    const { onStart } = setup({ strategy: 'both' });
    expect((screen.getByTestId('seeds-input') as HTMLInputElement).value).toBe('1');
    await fireEvent.click(start());
    expect(onStart.mock.calls[0][0].seeds).toBe(1);

    await fireEvent.input(screen.getByTestId('seeds-input'), { target: { value: '3' } });
    expect(start().textContent).toMatch(/Start 3 pairs \(6 runs\)/);
    expect(issues().textContent).toMatch(/Trains 3 pairs \(6 runs\) with seeds 42 to 44/);
    await fireEvent.click(start());
    expect(onStart.mock.calls[1][0]).toMatchObject({ seeds: 3, config: { strategy: 'both', seed: 42 } });
  });

  it('refuses more than 10 seeds or a fraction', async () => {
    const { onStart } = setup();
    for (const value of ['11', '0', '2.5', '']) {
      await fireEvent.input(screen.getByTestId('seeds-input'), { target: { value } });
      expect(issues().querySelector('[data-severity="error"][data-field="seeds"]')?.textContent).toMatch(/Seeds to repeat over/);
      expect(start().disabled).toBe(true);
    }
    expect(onStart).not.toHaveBeenCalled();
  });

  it('offers the unfrozen-BatchNorm choice only when fine-tuning, explained, and sends it', async () => {
    const { onStart } = setup();
    expect(screen.queryByTestId('unfrozen-bn')).toBeNull();
    await fireEvent.click(screen.getByDisplayValue('fine-tuning'));
    const group = screen.getByTestId('unfrozen-bn');
    expect(group.textContent).toMatch(/Batch statistics:.*each batch's own mean and variance/);
    expect(group.textContent).toMatch(/Inference mode:.*pretrained averages/);
    expect((screen.getByDisplayValue('batch-statistics') as HTMLInputElement).checked).toBe(true);
    await fireEvent.click(screen.getByDisplayValue('inference'));
    await fireEvent.click(start());
    expect(onStart.mock.calls[0][0].config).toMatchObject({ strategy: 'fine-tuning', unfrozenBatchNorm: 'inference' });
  });
});

describe('TrainForm pair budget', () => {
  it('says what each run of a pair gets under the pair rule', async () => {
    setup({ strategy: 'both' });
    await fireEvent.input(screen.getByTestId('epochs-input'), { target: { value: '3' } });
    await fireEvent.input(screen.getByTestId('head-epochs-input'), { target: { value: '2' } });
    const note = screen.getByTestId('pair-budget').textContent?.replace(/\s+/g, ' ') ?? '';
    expect(note).toMatch(/fine-tuning runs as set here \(5 epochs in all\)/);
    // 400 images: feature extraction may run up to the largest cap, early stopping decides.
    expect(note).toMatch(/head learning rate \(1e-3\), and early stopping \(patience 20\) decides .* within a cap of 500 epochs/);
  });
});

describe('TrainForm costs', () => {
  it('shows the head-only count for feature extraction', () => {
    setup();
    expect(screen.queryByTestId('unfreeze-slider')).toBeNull();
    expect(screen.getByTestId('trainable-params').dataset.value).toBe(String(65 * 4));
  });
});
