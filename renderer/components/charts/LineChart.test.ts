import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen } from '@testing-library/svelte';
import LineChart from './LineChart.svelte';


afterEach(cleanup);

// jsdom has no canvas: this checks the chart's accessible text, not the drawing (the e2e suite sees that).
describe('LineChart', () => {
  it('names itself and lists every series with its latest value', () => {
    render(LineChart, {
      props: {
        title: 'Validation accuracy',
        xLabel: 'epoch',
        yLabel: 'accuracy',
        series: [
          { label: 'FE val', color: 'var(--fe)', x: [1, 2], y: [0.5, 0.75] },
          { label: 'FT train', color: '#b04a12', dash: true, x: [1], y: [null] },
        ],
      },
    });
    expect(screen.getByRole('figure', { name: 'Validation accuracy' })).toBeTruthy();
    const items = screen.getByRole('list', { name: 'Validation accuracy: latest values' }).textContent ?? '';
    expect(items).toContain('FE val: 0.750 (2 points)');
    expect(items).toContain('FT train: no data yet (1 points)');
  });

  it('names each series in full and lists its markers', () => {
    render(LineChart, {
      props: {
        title: 'Accuracy',
        xLabel: 'epoch',
        yLabel: 'accuracy',
        series: [{ label: 'FT · seed 42 · val', title: 'Fine-tuning · fashion-target ×100 · tl-resnet-s: validation', color: 'var(--ft)', width: 4.5, x: [1], y: [0.5] }],
        markers: [{ x: 20.5, label: 'FT · seed 42 unfreezes', color: 'var(--ft)' }],
      },
    });
    const items = screen.getByRole('list', { name: 'Accuracy: latest values' }).textContent ?? '';
    expect(items).toContain('FT · seed 42 · val (Fine-tuning · fashion-target ×100 · tl-resnet-s: validation): 0.500');
    expect(items).toContain('Marker at epoch 20.5: FT · seed 42 unfreezes');
  });
});
