import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen, waitFor } from '@testing-library/svelte';
import MisclassifiedGallery from './MisclassifiedGallery.svelte';
import type { WireResponse } from '../../../electron/contract/index.js';

afterEach(cleanup);

// The real api client, talking to a stand-in for the desktop preload bridge.
const requests: { method: string; params: any }[] = [];
window.transferLab = {
  async invoke(method: string, params: any): Promise<WireResponse> {
    requests.push({ method, params });
    const result = params.sampleIds.map((id: string) => ({ id, label: 'x', dataUrl: `data:image/png;base64,${btoa(id)}` }));
    return { id: 0, ok: true, result };
  },
  on: () => () => undefined,
};

describe('MisclassifiedGallery', () => {
  it('loads the images of the given samples and captions them actual → predicted', async () => {
    const samples = [
      { sampleId: 'val/3', actual: 0, predicted: 1 },
      { sampleId: 'val/9', actual: 0, predicted: 1 },
    ];
    render(MisclassifiedGallery, { props: { datasetId: 'shapes', samples, classes: ['circle', 'square'] } });
    await waitFor(() => expect(screen.getAllByRole('img')).toHaveLength(2));
    expect(requests.at(-1)).toEqual({ method: 'datasets.samples', params: { datasetId: 'shapes', sampleIds: ['val/3', 'val/9'] } });
    expect(screen.getAllByAltText('circle predicted as square')).toHaveLength(2);
    expect(screen.getByTestId('misclassified-gallery').textContent).toContain('(2)');
  });

  it('says so when a cell has no mistakes', () => {
    render(MisclassifiedGallery, { props: { datasetId: 'shapes', samples: [], classes: ['circle', 'square'] } });
    expect(screen.getByText('No misclassified images here.')).toBeTruthy();
  });
});
