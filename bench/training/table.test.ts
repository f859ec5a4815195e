import { describe, expect, it } from 'vitest';
import { formatSection } from '../report.js';
import { type EngineResult, type TorchResult, type WorkloadRun, plan } from './spec.js';
import { failureLines, memoryRows, timingRows, verdict, verdictLines } from './table.js';

const [forward, fe, ftAll, ftTop2, , , mobileFt] = plan({ quick: false });
const engine = (main: [number, number], extra: Partial<EngineResult> = {}): WorkloadRun['engine'] => ({
  ok: true, value: { rung: 'wasm', device: 'CPU', main: { wallS: main[0], cpuS: main[1] }, peak: { rssBytes: 300 * 1048576, tensorBytes: 7 * 1048576 }, ...extra },
});
const torch = (threads: number, wallS: number, extra: Partial<TorchResult> = {}): WorkloadRun['torchAll'] => ({
  ok: true, value: { torch: '1.13', threads, defaultThreads: 1, main: { wallS, cpuS: wallS * threads }, maxRssBytes: 290 * 1048576, ...extra },
});

describe('training bench verdicts', () => {
  it('meets a goal at or under it, misses it above, and says nothing without a figure', () => {
    expect([verdict(3, 3), verdict(2.99, 3), verdict(3.01, 3), verdict(undefined, 3), verdict(Infinity, 3)]).toEqual(['met', 'met', 'NOT met', '—', '—']);
  });

  it('judges tl-resnet-s fine-tuning epochs against 3× PyTorch on all cores, wall clock', () => {
    const runs: WorkloadRun[] = [
      { spec: ftAll, engine: engine([6, 6]), torchAll: torch(2, 1.5), torchOne: torch(1, 2) },
      { spec: ftTop2, engine: engine([3, 3]), torchAll: torch(2, 1.5), torchOne: torch(1, 2) },
    ];
    const rows = timingRows(runs);
    expect(rows.map((r) => [r['÷ torch ×2'], r['÷ torch ×1'], r.verdict])).toEqual([[4, 3, 'NOT met'], [2, 1.5, 'met']]);
    expect(verdictLines(runs)).toEqual([
      'goal tl-resnet-s full fine-tuning epoch ≤ 3× PyTorch on 2 threads (wall clock): 4.00× (1 round), met in 0 of 1 → NOT met',
      'goal tl-resnet-s unfreeze-top-2 epoch ≤ 3× PyTorch on 2 threads (wall clock): 2.00× (1 round), met in 1 of 1 → met',
    ]);
  });

  it('judges paired rounds by their median ratio, counts the rounds met and names a failed round', () => {
    const rounds: WorkloadRun['rounds'] = [
      { engine: engine([3.3, 6]), torchAll: torch(2, 1) },
      { engine: { ok: false, error: 'killed' }, torchAll: torch(2, 1) },
      { engine: engine([2.8, 6]), torchAll: torch(2, 1) },
      { engine: engine([2.9, 6]), torchAll: torch(2, 1) },
    ];
    const run: WorkloadRun = { spec: ftAll, ...rounds[3], torchOne: null, rounds };
    expect(timingRows([run])[0]).toMatchObject({ '÷ torch ×2': 2.9, verdict: 'met', 'rounds met': '2 of 4' });
    expect(verdictLines([run])).toEqual([
      'goal tl-resnet-s full fine-tuning epoch ≤ 3× PyTorch on 2 threads (wall clock): 2.90× (median of 4 rounds: 3.30 / — / 2.80 / 2.90), met in 2 of 4 → met',
    ]);
    expect(failureLines([run])).toEqual(['tl-resnet-s · fine-tuning epoch, full, 1 thread: engine (round 2) failed — killed']);
  });

  it('adds a cached-FE ratio row judged in CPU time against 1.1× one forward pass', () => {
    const run: WorkloadRun = {
      spec: fe, engine: engine([1.3, 1.05], { forwardAll: { wallS: 1, cpuS: 1 } }),
      torchAll: torch(2, 0.5, { forwardAll: { wallS: 0.4, cpuS: 0.8 } }), torchOne: null,
    };
    const [runRow, ratioRow] = timingRows([run]);
    expect(runRow.workload).toBe('tl-resnet-s · feature extraction run, 10 head epochs, 1 thread');
    expect(ratioRow).toMatchObject({ images: 1152, 'engine wall s': 1.3, 'engine CPU s': 1.05, 'torch ×2 wall s': 1.25, goal: '≤ 1.1 (CPU)', verdict: 'met', 'rounds met': '1 of 1' });
    expect(verdictLines([run])).toEqual(['goal tl-resnet-s cached FE whole run ≤ 1.1× one forward pass (CPU time): 1.05× (1 round), met in 1 of 1 (the median round\'s wall 1.30×) → met']);
  });

  it('judges the cached-FE ratio by its paired rounds: the median round, and how many met', () => {
    const rounds = [
      { run: { wallS: 1.2, cpuS: 1.2 }, forward: { wallS: 0.8, cpuS: 0.8 } },
      { run: { wallS: 1.05, cpuS: 1.05 }, forward: { wallS: 1, cpuS: 1 } },
      { run: { wallS: 1.09, cpuS: 1.09 }, forward: { wallS: 1, cpuS: 1 } },
    ];
    // The median round (1.09) is the one shown; the fastest of each side (1.05 ÷ 0.8) would fail it.
    const run: WorkloadRun = { spec: fe, engine: engine([1.09, 1.09], { forwardAll: { wallS: 1, cpuS: 1 }, cachedRounds: rounds }), torchAll: null, torchOne: null };
    expect(timingRows([run])[1]).toMatchObject({ 'engine CPU s': 1.09, verdict: 'met', 'rounds met': '2 of 3' });
    expect(verdictLines([run])).toEqual(['goal tl-resnet-s cached FE whole run ≤ 1.1× one forward pass (CPU time): 1.09× (median of 3 rounds: 1.50 / 1.05 / 1.09), met in 2 of 3 (the median round\'s wall 1.09×) → met']);
  });

  it('sets no goal on forward passes or MobileNet fine-tuning, and prints dashes where a side failed', () => {
    const runs: WorkloadRun[] = [
      { spec: forward, engine: engine([1, 1]), torchAll: { ok: false, error: 'Traceback\nboom\nmore\nhidden' }, torchOne: null },
      { spec: mobileFt, engine: { ok: false, error: 'out of memory' }, torchAll: torch(2, 1), torchOne: torch(1, 2) },
    ];
    const rows = timingRows(runs);
    expect(rows.map((r) => [r.goal, r.verdict])).toEqual([['', ''], ['', '']]);
    expect(rows[0]['torch ×2 wall s']).toBe('—');
    expect(rows[1]['engine wall s']).toBe('—');
    expect(failureLines(runs)).toEqual([
      'tl-resnet-s · forward pass, 1 thread: pytorch (all cores) failed — Traceback / boom / more',
      'mobilenet-v1-0.25-224 · fine-tuning epoch, unfreeze top 2, 1 thread: engine failed — out of memory',
    ]);
    expect(verdictLines(runs)).toEqual([]);
  });

  it('lists peak memory per workload in MB and prints as one table', () => {
    const runs: WorkloadRun[] = [{ spec: forward, engine: engine([1, 1]), torchAll: torch(2, 0.5), torchOne: torch(1, 1) }];
    expect(memoryRows(runs)).toEqual([{
      workload: 'tl-resnet-s · forward pass, 1 thread', 'engine RSS peak MB': 300, 'engine tf.memory() peak MB': 7, 'torch ×2 RSS peak MB': 290, 'torch ×1 RSS peak MB': 290,
    }]);
    const text = formatSection({ title: 'T', rows: timingRows(runs), notes: [] });
    expect(text.split('\n')[1]).toMatch(/^workload +images +engine wall s +engine CPU s +torch ×2 wall s/);
  });
});

describe('training bench plan', () => {
  it('times tl-resnet-s on 1,024 training images and MobileNet on 512 by default, each split 64/64 for validation and test', () => {
    const specs = plan({ quick: false });
    expect(specs.map((s) => [s.arch, s.kind, s.unfreeze, s.sizes.train])).toEqual([
      ['tl-resnet-s', 'forward', 2, 1024], ['tl-resnet-s', 'feature-extraction', 2, 1024],
      ['tl-resnet-s', 'fine-tuning', 'all', 1024], ['tl-resnet-s', 'fine-tuning', 2, 1024],
      ['mobilenet-v1-0.25-224', 'forward', 2, 512], ['mobilenet-v1-0.25-224', 'feature-extraction', 2, 512],
      ['mobilenet-v1-0.25-224', 'fine-tuning', 2, 512],
    ]);
    expect(new Set(specs.map((s) => `${s.batch} ${s.sizes.val} ${s.sizes.test} ${s.headEpochs} ${s.ftEpochs} ${s.backend}`))).toEqual(new Set(['64 64 64 10 3 auto']));
  });

  it('trains on the threads it is given, with a one-thread reference row beside full fine-tuning that is not judged', () => {
    const specs = plan({ quick: false, threads: 4 });
    expect(specs.map((s) => [s.kind, s.unfreeze, s.threads ?? 1, !!s.reference])).toEqual([
      ['forward', 2, 4, false], ['feature-extraction', 2, 4, false],
      ['fine-tuning', 'all', 4, false], ['fine-tuning', 'all', 1, true], ['fine-tuning', 2, 4, false],
      ['forward', 2, 4, false], ['feature-extraction', 2, 4, false], ['fine-tuning', 2, 4, false],
    ]);
    const reference = specs[3];
    const rows = timingRows([{ spec: reference, engine: engine([6, 6]), torchAll: torch(4, 1), torchOne: torch(1, 2) }]);
    expect(rows[0]).toMatchObject({ workload: 'tl-resnet-s · fine-tuning epoch, full, 1 thread', goal: '', verdict: '' });
    expect(timingRows([{ spec: specs[2], engine: engine([2, 6]), torchAll: torch(4, 1), torchOne: torch(1, 2) }])[0]).toMatchObject({ workload: 'tl-resnet-s · fine-tuning epoch, full, 4 threads', verdict: 'met' });
  });

  it('shrinks a quick run and honours explicit sizes', () => {
    expect(plan({ quick: true }).map((s) => s.sizes.train)).toEqual([128, 128, 128, 128, 64, 64, 64]);
    expect(plan({ quick: true }).every((s) => s.repeats === 1 && s.ftEpochs === 2)).toBe(true);
    expect(plan({ quick: false }).map((s) => s.repeats)).toEqual([3, 5, 3, 3, 1, 1, 1]);
    expect(plan({ quick: false, arch: 'mobilenet-v1-0.25-224' }).map((s) => s.kind)).toEqual(['forward', 'feature-extraction', 'fine-tuning']);
    expect(plan({ quick: false, train: 256, mobileNetTrain: 32, ftEpochs: 5 }).map((s) => [s.sizes.train, s.ftEpochs])).toEqual([
      [256, 5], [256, 5], [256, 5], [256, 5], [32, 5], [32, 5], [32, 5],
    ]);
  });
});
