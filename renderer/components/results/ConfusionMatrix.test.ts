import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';

afterEach(cleanup);
import ConfusionMatrix from './ConfusionMatrix.svelte';

const classes = ['cat', 'dog', 'fox'];
const a = [
  [8, 1, 1],
  [2, 7, 1],
  [0, 0, 10],
];
const b = [
  [6, 3, 1],
  [2, 8, 0],
  [1, 0, 9],
];

describe('ConfusionMatrix', () => {
  it('renders one labelled cell per actual/predicted pair', () => {
    render(ConfusionMatrix, { props: { classes, matrix: a } });
    const cells = screen.getAllByTestId('confusion-cell');
    expect(cells).toHaveLength(9);
    expect(screen.getByLabelText('Actual dog, predicted cat: 2 mistaken images')).toBeTruthy();
    expect(screen.getByLabelText('Actual fox, predicted fox: 10 correct images')).toBeTruthy();
    expect(screen.getAllByRole('columnheader').map((h) => h.textContent?.trim())).toContain('fox');
  });

  it('shows the difference to the other run, coloured by whether it is better', () => {
    render(ConfusionMatrix, { props: { classes, matrix: a, compareWith: b } });
    // Diagonal cat: 8 vs 6 → +2, an improvement.
    const catCat = screen.getByLabelText(/Actual cat, predicted cat: 8 correct images, \+2 compared/);
    expect(catCat.querySelector('.d')?.textContent).toBe('+2');
    expect(catCat.querySelector('.d')?.classList.contains('good')).toBe(true);
    // Off-diagonal cat→dog: 1 vs 3 → −2 mistakes, also an improvement.
    const catDog = screen.getByLabelText(/Actual cat, predicted dog: 1 mistaken image, −2 compared/);
    expect(catDog.querySelector('.d')?.classList.contains('good')).toBe(true);
    // Off-diagonal dog→fox: 1 vs 0 → one more mistake: worse.
    const dogFox = screen.getByLabelText(/Actual dog, predicted fox: 1 mistaken image, \+1 compared/);
    expect(dogFox.querySelector('.d')?.classList.contains('bad')).toBe(true);
  });

  it('ignores a comparison matrix of another shape instead of showing wrong numbers', () => {
    render(ConfusionMatrix, { props: { classes, matrix: a, compareWith: [[1, 2], [3, 4]] } });
    expect(document.querySelectorAll('.d')).toHaveLength(0);
  });

  it('reports which cell was clicked', async () => {
    const onCellClick = vi.fn();
    render(ConfusionMatrix, { props: { classes, matrix: a, onCellClick } });
    await fireEvent.click(screen.getByRole('button', { name: /Actual dog, predicted fox/ }));
    expect(onCellClick).toHaveBeenCalledWith(1, 2);
    expect(screen.getAllByRole('button')).toHaveLength(9);
  });
});
