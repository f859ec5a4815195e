// Paired rounds: the two sides of a comparison run alternately (A B, B A, A B …), one ratio per round,
// so that a machine whose speed drifts by 2× over minutes slows both sides of a round alike. The
// verdict is the median round's, with how many rounds met the goal beside it.

/** Median of the finite values (the lower middle one when even), undefined when there are none. */
export function median(values: (number | undefined)[]): number | undefined {
  const finite = values.filter((v): v is number => v !== undefined && Number.isFinite(v)).sort((a, b) => a - b);
  return finite.length === 0 ? undefined : finite[Math.floor((finite.length - 1) / 2)];
}

/** Index of the round whose ratio is the median (the round a table shows), or -1 when none has one. */
export function medianRound(ratios: (number | undefined)[]): number {
  const m = median(ratios);
  return m === undefined ? -1 : ratios.indexOf(m);
}

/** Round i's order: even rounds run side A first, odd ones side B first. */
const aFirst = (round: number): boolean => round % 2 === 0;

export interface RoundsVerdict { median: number | undefined; met: number; measured: number; rounds: number }

export function roundsVerdict(ratios: (number | undefined)[], goal: number): RoundsVerdict {
  const measured = ratios.filter((r): r is number => r !== undefined && Number.isFinite(r));
  return { median: median(measured), met: measured.filter((r) => r <= goal).length, measured: measured.length, rounds: ratios.length };
}

/** "2.71× (median of 3 rounds: 2.65 / 2.71 / 3.10), met in 2 of 3" */
export function roundsText(ratios: (number | undefined)[], goal: number): string {
  const v = roundsVerdict(ratios, goal);
  if (v.median === undefined) return 'not measured';
  const each = ratios.map((r) => (r === undefined || !Number.isFinite(r) ? '—' : r.toFixed(2))).join(' / ');
  const of = v.rounds === 1 ? '1 round' : `median of ${v.rounds} rounds: ${each}`;
  return `${v.median.toFixed(2)}× (${of}), met in ${v.met} of ${v.rounds}`;
}

/** Runs `rounds` paired rounds of a and b (each told its round), alternating which goes first. */
export async function pairedRounds<A, B>(rounds: number, a: (round: number) => Promise<A>, b: (round: number) => Promise<B>): Promise<{ a: A; b: B }[]> {
  const out: { a: A; b: B }[] = [];
  for (let i = 0; i < rounds; i++) {
    if (aFirst(i)) {
      const ra = await a(i);
      out.push({ a: ra, b: await b(i) });
    } else {
      const rb = await b(i);
      out.push({ a: await a(i), b: rb });
    }
  }
  return out;
}
