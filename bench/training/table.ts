// The training suite's tables and verdicts, from the measured workloads (pure: no measuring here).
import type { BenchSection } from '../report.js';
import { roundsText, roundsVerdict } from '../rounds.js';
import { type EngineResult, type Outcome, type PairedRound, type Timing, type WorkloadRun, type WorkloadSpec, workloadLabel } from './spec.js';

type Row = BenchSection['rows'][number];

/** The goals: a fine-tuning epoch of tl-resnet-s ≤ 3× PyTorch on all cores (wall clock), and a whole
 *  cached feature-extraction run ≤ 1.1× one forward pass over its images, both measured in one
 *  process; that one is judged in CPU time (the engine is single-threaded, so its CPU time is its
 *  work, while wall time on a shared machine also counts the neighbours). */
export const GOALS = { fineTuneVsTorch: 3, cachedVsForward: 1.1 } as const;

export const verdict = (value: number | undefined, goal: number): string =>
  value === undefined || !Number.isFinite(value) ? '—' : value <= goal ? 'met' : 'NOT met';

const valueOf = <T>(o: Outcome<T> | null | undefined): T | undefined => (o?.ok ? o.value : undefined);
const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined && b > 0 ? a / b : undefined);
const cell = (v: number | undefined): number | string => (v === undefined || !Number.isFinite(v) ? '—' : v);
const mb = (bytes: number | undefined) => (bytes === undefined ? undefined : bytes / 1048576);

/** The PyTorch column names: "torch ×N" (N threads: every core) and "torch ×1" (one thread). */
export function torchColumns(runs: WorkloadRun[]): { all: string; one: string; allInWords: string } {
  const threads = runs.map((r) => valueOf(r.torchAll)?.threads).find((t) => t !== undefined);
  return { all: `torch ×${threads ?? 'all'}`, one: 'torch ×1', allInWords: `PyTorch on ${threads ?? 'all'} threads` };
}

export const hasFineTuneGoal = (s: WorkloadSpec) => s.kind === 'fine-tuning' && s.arch === 'tl-resnet-s' && !s.reference;

/** Engine wall ÷ PyTorch (all cores) wall of one round. */
export const roundRatio = (r: PairedRound): number | undefined => ratio(valueOf(r.engine)?.main.wallS, valueOf(r.torchAll)?.main.wallS);
const ratiosOf = (run: WorkloadRun) => (run.rounds ?? [run]).map(roundRatio);

function timingRow(run: WorkloadRun, cols: { all: string; one: string }): Row {
  const e = valueOf(run.engine)?.main;
  const all = valueOf(run.torchAll)?.main;
  const one = valueOf(run.torchOne)?.main;
  const vsAll = ratio(e?.wallS, all?.wallS);
  const judged = hasFineTuneGoal(run.spec);
  const rounds = roundsVerdict(ratiosOf(run), GOALS.fineTuneVsTorch);
  return {
    workload: workloadLabel(run.spec), images: run.spec.sizes.train,
    'engine wall s': cell(e?.wallS), 'engine CPU s': cell(e?.cpuS),
    [`${cols.all} wall s`]: cell(all?.wallS), [`${cols.all} CPU s`]: cell(all?.cpuS),
    [`${cols.one} wall s`]: cell(one?.wallS),
    [`÷ ${cols.all}`]: cell(vsAll), [`÷ ${cols.one}`]: cell(ratio(e?.wallS, one?.wallS)),
    goal: judged ? `≤ ${GOALS.fineTuneVsTorch}× ${cols.all}` : '',
    verdict: judged ? verdict(vsAll, GOALS.fineTuneVsTorch) : '',
    'rounds met': judged ? `${rounds.met} of ${rounds.rounds}` : '',
  };
}

const perForward = (t: { main: Timing; forwardAll?: Timing } | undefined, k: keyof Timing) => ratio(t?.main[k], t?.forwardAll?.[k]);

/** The cached-FE run ÷ forward pass in CPU time, one per paired round (or the one pair measured). */
const cachedRatios = (e: EngineResult | undefined): (number | undefined)[] =>
  e?.cachedRounds?.map((x) => ratio(x.run.cpuS, x.forward.cpuS)) ?? [perForward(e, 'cpuS')];

function cachedRatioRow(run: WorkloadRun, cols: { all: string; one: string }): Row {
  const e = valueOf(run.engine);
  const all = valueOf(run.torchAll);
  const images = run.spec.sizes.train + run.spec.sizes.val + run.spec.sizes.test;
  const rounds = roundsVerdict(cachedRatios(e), GOALS.cachedVsForward);
  return {
    workload: `${run.spec.arch} · cached FE run ÷ one forward pass`, images,
    'engine wall s': cell(perForward(e, 'wallS')), 'engine CPU s': cell(perForward(e, 'cpuS')),
    [`${cols.all} wall s`]: cell(perForward(all, 'wallS')), [`${cols.all} CPU s`]: cell(perForward(all, 'cpuS')),
    [`${cols.one} wall s`]: cell(perForward(valueOf(run.torchOne), 'wallS')),
    goal: `≤ ${GOALS.cachedVsForward} (CPU)`, verdict: verdict(rounds.median, GOALS.cachedVsForward),
    'rounds met': `${rounds.met} of ${rounds.rounds}`,
  };
}

export function timingRows(runs: WorkloadRun[]): Row[] {
  const cols = torchColumns(runs);
  return runs.flatMap((r) => (r.spec.kind === 'feature-extraction' ? [timingRow(r, cols), cachedRatioRow(r, cols)] : [timingRow(r, cols)]));
}

export function memoryRows(runs: WorkloadRun[]): Row[] {
  const cols = torchColumns(runs);
  return runs.map((r) => {
    const peak = valueOf(r.engine)?.peak;
    return {
      workload: workloadLabel(r.spec),
      'engine RSS peak MB': cell(mb(peak?.rssBytes)), 'engine tf.memory() peak MB': cell(mb(peak?.tensorBytes)),
      [`${cols.all} RSS peak MB`]: cell(mb(valueOf(r.torchAll)?.maxRssBytes)),
      [`${cols.one} RSS peak MB`]: cell(mb(valueOf(r.torchOne)?.maxRssBytes)),
    };
  });
}

/** One line per goal with the measured ratio and whether it is met; failures with their reason. */
export function verdictLines(runs: WorkloadRun[]): string[] {
  const cols = torchColumns(runs);
  const out: string[] = [];
  for (const r of runs) {
    const e = valueOf(r.engine);
    if (hasFineTuneGoal(r.spec)) {
      const ratios = ratiosOf(r);
      const v = roundsVerdict(ratios, GOALS.fineTuneVsTorch).median;
      out.push(`goal ${r.spec.arch} ${r.spec.unfreeze === 'all' ? 'full fine-tuning' : `unfreeze-top-${r.spec.unfreeze}`} epoch ≤ ${GOALS.fineTuneVsTorch}× ${cols.allInWords} (wall clock): ${roundsText(ratios, GOALS.fineTuneVsTorch)} → ${verdict(v, GOALS.fineTuneVsTorch)}`);
    }
    if (r.spec.kind === 'feature-extraction') {
      const ratios = cachedRatios(e);
      const v = roundsVerdict(ratios, GOALS.cachedVsForward).median;
      out.push(`goal ${r.spec.arch} cached FE whole run ≤ ${GOALS.cachedVsForward}× one forward pass (CPU time): ${roundsText(ratios, GOALS.cachedVsForward)} (the median round's wall ${perForward(e, 'wallS')?.toFixed(2) ?? '—'}×) → ${verdict(v, GOALS.cachedVsForward)}`);
    }
  }
  return out;
}

export function failureLines(runs: WorkloadRun[]): string[] {
  const out: string[] = [];
  const first = (s: string) => s.split('\n').slice(0, 3).join(' / ');
  for (const r of runs) {
    const sides: [string, Outcome<unknown> | null][] = r.rounds
      ? r.rounds.flatMap((round, i): [string, Outcome<unknown> | null][] => [[`engine (round ${i + 1})`, round.engine], [`pytorch (all cores, round ${i + 1})`, round.torchAll]])
      : [['engine', r.engine], ['pytorch (all cores)', r.torchAll]];
    for (const [side, o] of [...sides, ['pytorch (1 thread)', r.torchOne] as [string, Outcome<unknown> | null]]) {
      if (o && !o.ok) out.push(`${workloadLabel(r.spec)}: ${side} failed — ${first(o.error)}`);
    }
  }
  return out;
}
