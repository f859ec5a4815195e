// FolderImport against a stand-in for the desktop bridge (the real scan is exercised end to end in
// browser mode); this checks the component's own logic: progress, cancel, and refusing bad scans.
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FolderScan } from '../../../electron/contract/index.js';
import FolderImport from './FolderImport.svelte';

type Handler = (params: any) => Promise<unknown>;
const handlers: Record<string, Handler> = {};
const listeners: Record<string, ((p: unknown) => void)[]> = {};
const emit = (event: string, payload: unknown) => (listeners[event] ?? []).forEach((l) => l(payload));

beforeAll(() => {
  window.transferLab = {
    async invoke(method, params) {
      const h = handlers[method];
      if (!h) return { id: 0, ok: false, error: { code: 'unknown-method', message: method } };
      try {
        return { id: 0, ok: true, result: await h(params) };
      } catch (e) {
        return { id: 0, ok: false, error: { code: 'failed', message: (e as Error).message } };
      }
    },
    on(event, listener) {
      (listeners[event] ??= []).push(listener);
      return () => (listeners[event] = listeners[event].filter((l) => l !== listener));
    },
  };
});
afterEach(cleanup);

const scanOf = (classes: string[], counts: number[]): FolderScan => ({
  dataset: { id: 'folder-x', name: 'photos', source: 'folder', role: 'user', description: '', classes, counts, imageSize: [32, 32, 3] },
  thumbnails: Object.fromEntries(classes.map((c) => [c, []])),
  skipped: [{ file: 'cats/readme.txt', reason: 'not an image' }],
});

describe('FolderImport', () => {
  it('shows scan progress and cancels the scan it started', async () => {
    let reject: (e: Error) => void = () => {};
    handlers['app.pickFolder'] = async () => ({ path: '/data/photos' });
    handlers['datasets.addFolder'] = vi.fn(() => new Promise((_, r) => (reject = r)));
    handlers['datasets.cancelScan'] = vi.fn(async () => {
      reject(new Error('The scan was cancelled.'));
      return { ok: true };
    });
    const onAdded = vi.fn();
    render(FolderImport, { props: { onAdded } });
    await fireEvent.click(screen.getByTestId('add-folder'));
    await waitFor(() => expect(handlers['datasets.addFolder']).toHaveBeenCalled());
    const { scanId, path } = (handlers['datasets.addFolder'] as any).mock.calls[0][0];
    expect(path).toBe('/data/photos');
    emit('datasets.scanProgress', { scanId: 'someone-else', done: 9, total: 10 });
    emit('datasets.scanProgress', { scanId, done: 5, total: 20 });
    await waitFor(() => expect(screen.getByTestId('scan-progress').getAttribute('aria-valuenow')).toBe('25'));
    expect(screen.getByText('5 of 20 files checked')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('cancel-scan'));
    expect(handlers['datasets.cancelScan']).toHaveBeenCalledWith({ scanId });
    await waitFor(() => expect(screen.getByTestId('folder-error').textContent).toBe('The scan was cancelled.'));
    expect(screen.queryByTestId('scan-progress')).toBeNull();
    expect(onAdded).not.toHaveBeenCalled();
  });

  it('refuses a folder with one class and still shows what was skipped', async () => {
    handlers['app.pickFolder'] = async () => ({ path: '/data/one' });
    handlers['datasets.addFolder'] = async () => scanOf(['cats'], [12]);
    const onAdded = vi.fn();
    render(FolderImport, { props: { onAdded } });
    await fireEvent.click(screen.getByTestId('add-folder'));
    await waitFor(() => expect(screen.getByTestId('folder-error').textContent).toMatch(/a classifier needs at least 2 subfolders/));
    expect(screen.getByTestId('skip-report').textContent).toMatch(/readme.txt/);
    expect(onAdded).not.toHaveBeenCalled();
  });

  it('hands a good scan on and previews its classes', async () => {
    handlers['app.pickFolder'] = async () => ({ path: '/data/two' });
    handlers['datasets.addFolder'] = async () => scanOf(['cats', 'dogs'], [12, 10]);
    const onAdded = vi.fn();
    render(FolderImport, { props: { onAdded } });
    await fireEvent.click(screen.getByTestId('add-folder'));
    await waitFor(() => expect(onAdded).toHaveBeenCalledTimes(1));
    expect(screen.getByTestId('class-preview').textContent).toMatch(/cats\s*12 images/);
    expect(screen.queryByTestId('folder-error')).toBeNull();
  });
});
