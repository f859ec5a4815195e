import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import TabGpuOptIn from './TabGpuOptIn.svelte';

afterEach(cleanup);

describe('TabGpuOptIn', () => {
  it('offers the switch, says what happens without a tab, and turns it on', async () => {
    const onStart = vi.fn();
    render(TabGpuOptIn, { status: { kind: 'off', lastEnded: null }, onStart, onStop: vi.fn() });
    const toggle = screen.getByTestId('tab-gpu-toggle') as HTMLInputElement;
    expect(toggle.checked).toBe(false);
    expect(screen.getByText("Train on this computer's GPU")).toBeTruthy();
    expect(screen.getByTestId('tab-gpu-status').textContent).toMatch(/fail with a message \(they do not move to another backend\)/);
    await fireEvent.click(toggle);
    expect(onStart).toHaveBeenCalledOnce();
  });

  it('when on, names the GPU and warns that closing the tab fails its run; turning it off stops', async () => {
    const onStop = vi.fn();
    render(TabGpuOptIn, { status: { kind: 'on' }, gpuName: 'WebGL · ANGLE (SwiftShader)', onStart: vi.fn(), onStop });
    expect(screen.getByTestId('tab-gpu-status').textContent).toMatch(/on WebGL · ANGLE \(SwiftShader\).*closing it fails the run it is training/);
    await fireEvent.click(screen.getByTestId('tab-gpu-toggle'));
    expect(onStop).toHaveBeenCalledOnce();
  });

  it('shows why a connection ended, and why a browser cannot take part', () => {
    const { unmount } = render(TabGpuOptIn, { status: { kind: 'off', lastEnded: 'The Transfer Lab server was closed.' }, onStart: vi.fn(), onStop: vi.fn() });
    expect(screen.getByTestId('tab-gpu-status').textContent).toContain('The last connection ended: The Transfer Lab server was closed.');
    unmount();
    render(TabGpuOptIn, { status: { kind: 'unsupported', why: 'This browser offers neither WebGPU nor WebGL2 here.' }, onStart: vi.fn(), onStop: vi.fn() });
    expect(screen.queryByTestId('tab-gpu-toggle')).toBeNull();
    expect(screen.getByTestId('tab-gpu-unsupported').textContent).toContain('neither WebGPU nor WebGL2');
  });
});
