import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { applyJob, applyProgress, newLiveRun } from '../../lib/train/live-run.js';
import DevicePanel from './DevicePanel.svelte';
import LiveRunCard from './LiveRunCard.svelte';
import SkipReport from './SkipReport.svelte';
import { device } from '../../lib/train/testing/train-fixtures.js';

afterEach(cleanup);

describe('LiveRunCard', () => {
  it('shows phase, progress, ETA and speed, and cancels by run id', async () => {
    const run = newLiveRun('run-7', { name: 'FE · fashion', strategy: 'feature-extraction' });
    applyProgress(run, { runId: 'run-7', phase: 'caching-embeddings', epoch: 0, epochs: 0, batch: 0, batches: 0, fraction: 0.25, etaSeconds: 75, imagesPerSec: 812.4, loss: null, acc: null });
    const onCancel = vi.fn();
    render(LiveRunCard, { props: { run, onCancel, onDismiss: vi.fn() } });
    expect(screen.getByTestId('run-status').textContent).toBe('Running');
    expect(screen.getByText('Caching embeddings (frozen base, once)')).toBeTruthy();
    expect(screen.getByTestId('progress-bar').getAttribute('aria-valuenow')).toBe('25');
    expect(screen.getByTestId('eta').textContent).toBe('1 min 15 s left');
    expect(screen.getByTestId('images-per-sec').textContent).toBe('812 images/s');
    await fireEvent.click(screen.getByTestId('cancel-run'));
    expect(onCancel).toHaveBeenCalledWith('run-7');
  });

  it('marks a cancelled run and offers no cancel', () => {
    const run = newLiveRun('run-8', { name: 'FT', strategy: 'fine-tuning' });
    applyJob(run, 'cancelled', 'Cancelled during epoch 2.');
    render(LiveRunCard, { props: { run, onCancel: vi.fn(), onDismiss: vi.fn() } });
    expect(screen.getByTestId('run-status').textContent).toBe('Cancelled');
    expect(screen.getByRole('alert').textContent).toMatch(/Cancelled during epoch 2/);
    expect(screen.queryByTestId('cancel-run')).toBeNull();
  });
});

describe('DevicePanel', () => {
  it('shows the rung in use and why the others are unavailable', () => {
    render(DevicePanel, { props: { report: device } });
    expect(screen.getByTestId('active-rung').textContent).toMatch(/wasm/);
    const gpu = screen.getByTestId('device-panel').querySelector('[data-rung="tfjs-node-gpu"]');
    expect(gpu?.textContent).toMatch(/unavailable/);
    expect(gpu?.textContent).toMatch(/CUDA 11 libraries not found/);
  });
});

describe('SkipReport', () => {
  it('groups skipped files by reason', () => {
    render(SkipReport, { props: { skipped: [
      { file: 'cats/broken.png', reason: 'corrupt image' },
      { file: 'dogs/notes.txt', reason: 'not an image' },
      { file: 'dogs/x.png', reason: 'corrupt image' },
    ] } });
    const report = screen.getByTestId('skip-report');
    expect(report.textContent).toMatch(/3 files skipped — 2 corrupt image, 1 not an image/);
    expect(report.querySelectorAll('tbody tr')).toHaveLength(3);
  });
});

describe('LiveRunCard when stopped', () => {
  it('says where a cancelled run stopped', () => {
    const run = newLiveRun('run-9', { name: 'FT', strategy: 'fine-tuning' });
    applyProgress(run, { runId: 'run-9', phase: 'fine-tuning', epoch: 4, epochs: 5, batch: 19, batches: 63, fraction: 0.33, etaSeconds: 40, imagesPerSec: 167, loss: 1.4, acc: 0.5 });
    applyJob(run, 'cancelled', null);
    render(LiveRunCard, { props: { run, onCancel: vi.fn(), onDismiss: vi.fn() } });
    expect(screen.getByText('Cancelled at 33 %, during: fine-tuning the unfrozen blocks')).toBeTruthy();
    expect(screen.queryByTestId('eta')).toBeNull();
  });
});
