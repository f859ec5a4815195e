// Measures the lesson's central claim with the shipped backbone and writes the result into its
// MODEL_CARD.md under "## Transfer results": feature extraction against fine-tuning on both targets
// at several sizes, each pair under the app's own pair rule (contract/budget.ts pairConfigs), over
// several seeds. Every number is TEST accuracy on the target's fixed test pool (never trained on,
// never used by early stopping), as mean ± sd over seeds, with each run's Wilson interval, the
// paired exact McNemar test of the two strategies per seed, and why each run stopped.
//   npx tsx build/measure-transfer.ts [--quick] [--no-write] [--seeds N] [--fashion 10,100,500] [--digits 10,100,300|all]
//                                     [--backbone ID] [--resources DIR]
import { mkdtempSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultConfig, pairConfigs } from '../electron/contract/budget.js';
import type { RunResult, Strategy, TrainConfig } from '../electron/contract/index.js';
import { comparePaired, discordant, meanSd, pairedVerdict, unpackCorrect, type PairedComparison } from '../electron/contract/stats.js';
import { listShippedDatasets } from '../electron/datasets/shipped.js';
import { realEngineDeps } from '../electron/training/engine/parts.js';
import { runTraining } from '../electron/training/engine/run-training.js';
import type { FromWorker, WorkerEnv } from '../electron/worker-protocol/messages.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const flag = (name: string) => process.argv.includes(`--${name}`);
const option = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const QUICK = flag('quick');
const BACKBONE = option('backbone', 'tl-resnet-s');
const SEEDS = Array.from({ length: Number(option('seeds', QUICK ? '2' : '3')) }, (_, i) => 42 + i);
const sizes = (s: string) => s.split(',').map((x) => (x === 'all' ? null : Number(x)));
const TARGETS: Array<{ id: string; sizes: Array<number | null> }> = [
  { id: 'fashion-target', sizes: sizes(option('fashion', QUICK ? '5' : '10,100,500')) },
  { id: 'digits', sizes: sizes(option('digits', QUICK ? '5' : '10,100,300')) },
];
const NAMES: [string, string] = ['feature extraction', 'fine-tuning'];

interface Run { strategy: Strategy; seed: number; config: TrainConfig; result: RunResult; epochsRun: number }
interface Scenario { datasetId: string; perClass: number | null; images: number; classes: number; runs: Run[] }

async function train(config: TrainConfig, env: WorkerEnv): Promise<Run> {
  let epochsRun = 0;
  const emit = (m: FromWorker) => {
    if (m.type === 'epoch') epochsRun++;
    if (m.type === 'log') console.log(`    [${m.level}] ${m.message}`);
  };
  const id = `measure-${config.dataset.id}-${config.dataset.perClass ?? 'all'}-${config.strategy}-${config.seed}`;
  const out = await runTraining(id, config, env, emit, new AbortController().signal, realEngineDeps());
  if (out.status !== 'completed') throw new Error(`${id}: ${out.status === 'failed' ? out.error : 'cancelled'}`);
  const t = out.result.test!;
  console.log(`    ${config.strategy} seed ${config.seed}: test ${pct(t.accuracy)} [${pct(t.low)}–${pct(t.high)}] of ${t.n}, ${out.result.stopped!.kind} at epoch ${out.result.stopped!.epoch}/${out.result.stopped!.cap}, ${out.result.totalSeconds.toFixed(0)} s`);
  return { strategy: config.strategy, seed: config.seed, config, result: out.result, epochsRun };
}

async function measure(datasetId: string, perClass: number | null, env: WorkerEnv): Promise<Scenario> {
  const info = listShippedDatasets(env.resourcesDir).find((d) => d.id === datasetId);
  if (!info) throw new Error(`No shipped data set "${datasetId}" in ${env.resourcesDir}.`);
  const images = info.counts.reduce((a, n) => a + (perClass === null ? n : Math.min(n, perClass)), 0);
  const runs: Run[] = [];
  for (const seed of SEEDS) {
    const { strategy: _s, ...base } = { ...defaultConfig('fine-tuning', images), backboneId: BACKBONE, dataset: { id: datasetId, perClass }, seed };
    const quick = QUICK ? { headEpochs: 1, epochs: 1 } : {};
    const [fe, ft] = pairConfigs({ ...base, ...quick }, images);
    console.log(`${datasetId} ${perClass ?? 'all'}/class (${images} images), seed ${seed}: FE up to ${QUICK ? 5 : fe.epochs} epochs, FT ${ft.headEpochs} head + ${ft.epochs} epochs, batch ${ft.batchSize}`);
    runs.push(await train(QUICK ? { ...fe, epochs: 5 } : fe, env));
    runs.push(await train(ft, env));
  }
  return { datasetId, perClass, images, classes: info.classes.length, runs };
}

// ---------------------------------------------------------------------------------------------
// The card section
// ---------------------------------------------------------------------------------------------
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const pm = (xs: number[], scale = 100) => {
  const { mean, sd } = meanSd(xs);
  return `${(mean * scale).toFixed(1)} ± ${(sd * scale).toFixed(1)}`;
};
const label = (s: Scenario) => `${s.datasetId}, ${s.perClass === null ? 'all' : s.perClass}/class`;
const of = (s: Scenario, strategy: Strategy) => s.runs.filter((r) => r.strategy === strategy);

function paired(s: Scenario): Array<{ seed: number; cmp: PairedComparison }> {
  return SEEDS.map((seed) => {
    const [fe, ft] = (['feature-extraction', 'fine-tuning'] as const).map((k) => s.runs.find((r) => r.strategy === k && r.seed === seed)!.result.test!);
    if (fe.setId !== ft.setId) throw new Error(`${label(s)} seed ${seed}: the pair was scored on different test sets.`);
    const d = discordant(unpackCorrect(fe.correctFlags, fe.n), unpackCorrect(ft.correctFlags, ft.n));
    return { seed, cmp: comparePaired(fe.n, d.onlyFirst, d.onlySecond) };
  });
}

const pValue = (p: number) => (p < 0.001 ? '< 0.001' : p.toFixed(3));
const stops = (runs: Run[]) => {
  const early = runs.filter((r) => r.result.stopped?.kind === 'early-stopping').map((r) => r.result.stopped!.epoch);
  const capped = runs.filter((r) => r.result.stopped?.kind === 'epoch-cap');
  return [early.length ? `early stop at ${early.join(', ')}` : '', capped.length ? `cap (${capped.map((r) => r.result.stopped!.cap).join(', ')}) ×${capped.length}` : ''].filter(Boolean).join('; ') + ` (of ${runs[0].result.stopped!.cap})`;
};

function summaryTable(scenarios: Scenario[]): string {
  const rows = scenarios.map((s) => {
    const [fe, ft] = [of(s, 'feature-extraction'), of(s, 'fine-tuning')];
    const r0 = s.runs[0].result;
    const train = s.images - r0.valN;
    const acc = (runs: Run[]) => pm(runs.map((r) => r.result.test!.accuracy));
    const gaps = paired(s).map((p) => p.cmp.difference);
    const ps = paired(s).map((p) => pValue(p.cmp.p)).join(', ');
    const secs = (runs: Run[]) => meanSd(runs.map((r) => r.result.totalSeconds)).mean.toFixed(0);
    return `| ${label(s)} | ${train} / ${r0.valN} / ${r0.test!.n} | ${acc(fe)} | ${acc(ft)} | ${pm(gaps)} | ${ps} | ${stops(fe)} | ${stops(ft)} | ${secs(fe)} / ${secs(ft)} |`;
  });
  return [
    '| target | images: train / val / test | feature extraction: test % | fine-tuning: test % | FT − FE, points | McNemar p per seed | FE stopped | FT stopped | seconds FE / FT |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

function runTable(scenarios: Scenario[]): string {
  const rows = scenarios.flatMap((s) => s.runs.map((r) => {
    const t = r.result.test!;
    const st = r.result.stopped!;
    return `| ${label(s)} | ${r.seed} | ${r.strategy} | ${pct(t.accuracy)} [${pct(t.low)}–${pct(t.high)}] | ${pct(r.result.bestValAcc)} | ${st.kind === 'early-stopping' ? `early stop, epoch ${st.epoch}` : 'epoch cap'} of ${st.cap} | ${r.result.totalSeconds.toFixed(0)} | ${r.result.trainableParams.toLocaleString('en-US')} |`;
  }));
  return [
    '| target | seed | strategy | test accuracy [95 % Wilson] | best val accuracy | stopped | seconds | trainable params |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

function verdicts(scenarios: Scenario[]): string[] {
  return scenarios.map((s) => {
    const p = paired(s);
    const clear = p.filter((x) => x.cmp.p < 0.05);
    const ftWins = clear.filter((x) => x.cmp.difference > 0).length;
    const feWins = clear.length - ftWins;
    const share = meanSd(of(s, 'feature-extraction').map((r) => r.result.totalSeconds)).mean / meanSd(of(s, 'fine-tuning').map((r) => r.result.totalSeconds)).mean;
    const tally = clear.length === 0 ? `no clear difference in any of the ${p.length} seeds`
      : `a clear difference in ${clear.length} of ${p.length} seeds (${[ftWins ? `fine-tuning better in ${ftWins}` : '', feWins ? `feature extraction better in ${feWins}` : ''].filter(Boolean).join(', ')})`;
    return `- **${label(s)}:** ${tally}; feature extraction took ${(share * 100).toFixed(0)} % of fine-tuning's time. Seed ${p[0].seed}: ${pairedVerdict(p[0].cmp, NAMES)}`;
  });
}

function recipes(scenarios: Scenario[]): string[] {
  return scenarios.map((s) => {
    const fe = of(s, 'feature-extraction')[0].config;
    const ft = of(s, 'fine-tuning')[0].config;
    return `- ${label(s)}: batch ${ft.batchSize}, validation ${ft.validationSplit * 100} % of the pool subset. Feature extraction: the head alone at lr ${fe.learningRate}, up to ${fe.epochs} epochs, early stopping (patience ${fe.earlyStopping.patience}). Fine-tuning: the head alone for ${ft.headEpochs} epochs at lr ${ft.headLearningRate}, then the top ${ft.unfreezeBlocks} blocks + head at lr ${ft.learningRate} for up to ${ft.epochs} epochs (early stopping, patience ${ft.earlyStopping.patience}; unfrozen BatchNorm: ${ft.unfrozenBatchNorm}).`;
  });
}

function section(scenarios: Scenario[], cpu: string, wallSeconds: number): string {
  const rung = scenarios[0].runs[0].result.rung;
  const testPools = [...new Set(scenarios.map((s) => `${s.datasetId} ${s.runs[0].result.test!.n.toLocaleString('en-US')}`))].join(', ');
  return `## Transfer results
Measured by \`npx tsx build/measure-transfer.ts\` with this backbone on ${cpu}, ${rung} rung,
${new Date().toISOString().slice(0, 10)} (${Math.round(wallSeconds / 60)} minutes for all ${scenarios.reduce((a, s) => a + s.runs.length, 0)} runs). Each pair follows the app's
pair rule (\`pairConfigs\` in electron/contract/budget.ts): the same images, seed, batches and new head;
feature extraction trains the head until early stopping decides, within a generous cap; fine-tuning
takes the Train form's preset for the data size.

Accuracies are on each target's fixed **test** pool (${testPools} images), which no run
trained on or used for early stopping; validation images (from the training pool) only chose
the best epoch. Mean ± sd over seeds ${SEEDS.join(', ')}; the paired exact McNemar test compares the
two strategies image by image on the same test images, one p-value per seed. Seconds are whole runs
(loading, embedding, training, scoring); the machine may have been shared with other work.

${summaryTable(scenarios)}

${verdicts(scenarios).join('\n')}

Every run:

${runTable(scenarios)}

Recipes:
${recipes(scenarios).join('\n')}
`;
}

async function main() {
  const t0 = performance.now();
  const env: WorkerEnv = { resourcesDir: path.resolve(option('resources', path.join(ROOT, 'resources'))), dataDir: mkdtempSync(path.join(os.tmpdir(), 'tl-measure-')), backend: 'auto' };
  const scenarios: Scenario[] = [];
  for (const t of TARGETS) for (const perClass of t.sizes) scenarios.push(await measure(t.id, perClass, env));
  const wall = (performance.now() - t0) / 1000;
  const cpu = `${os.cpus().length} × ${os.cpus()[0]?.model?.trim() ?? 'unknown CPU'}`;
  const text = section(scenarios, cpu, wall);
  console.log(`\n${text}\nwall time ${wall.toFixed(0)} s`);
  if (flag('no-write') || QUICK) return;
  const card = path.join(env.resourcesDir, 'models', BACKBONE, 'MODEL_CARD.md');
  const old = await readFile(card, 'utf8');
  const start = old.indexOf('## Transfer results');
  const next = start >= 0 ? old.indexOf('\n## ', start + 1) : -1;
  const updated = start < 0 ? `${old.trimEnd()}\n\n${text}` : `${old.slice(0, start)}${text}${next >= 0 ? old.slice(next) : ''}`;
  await writeFile(card, updated);
  console.log(`wrote ${card}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
