import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen, within } from '@testing-library/svelte';
import DevicePanel from './DevicePanel.svelte';
import type { DeviceReport } from '../../../electron/contract/index.js';

afterEach(cleanup);

const report: DeviceReport = {
  active: 'tfjs-node',
  forced: 'auto',
  rungs: [
    {
      rung: 'tfjs-node-gpu', available: false,
      reason: 'CUDA 12 is installed, but tfjs-node-gpu 4.22 (TensorFlow 2.9.1) needs the CUDA 11.2 and cuDNN 8.1 runtime libraries, which were not found (libcudart.so.11.0); training uses the next rung meanwhile.\nInstall the CUDA 11.2 runtime libraries beside CUDA 12.\nThen point the app at them: set LD_LIBRARY_PATH before starting the app.',
    },
    { rung: 'tfjs-node', available: true, reason: 'libtensorflow on the CPU', device: 'CPU (libtensorflow)' },
    { rung: 'wasm', available: true, reason: 'WebAssembly', device: 'CPU (WebAssembly)' },
    { rung: 'cpu', available: true, reason: 'pure JavaScript', device: 'CPU (JavaScript)' },
  ],
};

describe('DevicePanel', () => {
  it('shows a reason with guidance as its first line and then one step per line', () => {
    const { container } = render(DevicePanel, { report });
    const gpu = container.querySelector('li[data-rung="tfjs-node-gpu"]') as HTMLElement;
    expect(within(gpu).getByText(/^CUDA 12 is installed, but tfjs-node-gpu 4\.22/)).toBeTruthy();
    const steps = within(gpu).getAllByRole('listitem').map((li) => li.textContent?.trim());
    expect(steps).toEqual(['Install the CUDA 11.2 runtime libraries beside CUDA 12.', 'Then point the app at them: set LD_LIBRARY_PATH before starting the app.']);
  });

  it('keeps one-line reasons as they are', () => {
    const { container } = render(DevicePanel, { report });
    const native = container.querySelector('li[data-rung="tfjs-node"]') as HTMLElement;
    expect(native.textContent).toContain('CPU (libtensorflow) — libtensorflow on the CPU');
    expect(within(native).queryAllByRole('listitem')).toHaveLength(0);
    expect(screen.getByTestId('active-rung').textContent).toBe('Native CPU (tfjs-node)');
  });

  it('names the window rung with its GPU once, and renders the opt-in it is given', async () => {
    const { createRawSnippet } = await import('svelte');
    const windowReport: DeviceReport = {
      ...report, active: 'window-gpu',
      rungs: [report.rungs[0], { rung: 'window-gpu', available: true, reason: 'Trains in this window through WebGL on ANGLE (SwiftShader).', device: 'WebGL · ANGLE (SwiftShader)', gpuName: 'ANGLE (SwiftShader)' }, ...report.rungs.slice(1)],
    };
    const optIn = createRawSnippet(() => ({ render: () => '<p data-testid="opt-in-slot">switch</p>' }));
    const { container } = render(DevicePanel, { report: windowReport, optIn });
    const li = container.querySelector('li[data-rung="window-gpu"]') as HTMLElement;
    expect(li.textContent?.match(/ANGLE \(SwiftShader\)/g)).toHaveLength(1);
    expect(screen.getByTestId('active-rung').textContent).toBe('GPU in a window (WebGPU / WebGL)');
    expect(screen.getByTestId('opt-in-slot')).toBeTruthy();
  });
});
