// Measures the lesson's central claim with the shipped backbone and writes the table into its
// MODEL_CARD.md under "## Transfer results":
//   - similar target (fashion-target), ~100 images per class: feature extraction should come within
//     a few points of fine-tuning in a fraction of the time;
//   - very different target (digits), all images: fine-tuning should win.
// Each run uses the engine exactly as the app does (same defaults as the Train form's presets).
//   npx tsx build/measure-transfer.ts [--backbone ID] [--resources DIR] [--quick] [--no-write]
import { mkdtempSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResult, Strategy, TrainConfig } from '../electron/contract/index.js';
import { defaultConfig } from '../electron/contract/budget.js';
import { runTraining } from '../electron/training/engine/run-training.js';
import { realEngineDeps } from '../electron/training/engine/parts.js';
import type { FromWorker, WorkerEnv } from '../electron/worker-protocol/messages.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const flag = (name: string) => process.argv.includes(`--${name}`);
const option = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const BACKBONE = option('backbone', 'tl-resnet-s');
const QUICK = flag('quick');

interface Scenario { label: string; datasetId: string; perClass: number | null; images: number }
const SCENARIOS: Scenario[] = [
  { label: 'similar target, 100 images/class', datasetId: 'fashion-target', perClass: QUICK ? 20 : 100, images: QUICK ? 100 : 500 },
  { label: 'different target, all images', datasetId: 'digits', perClass: QUICK ? 40 : null, images: QUICK ? 400 : 5000 },
];

interface Row { scenario: Scenario; strategy: Strategy; config: TrainConfig; result: RunResult; epochsRun: number; train: number; val: number }

async function measure(scenario: Scenario, strategy: Strategy, env: WorkerEnv): Promise<Row> {
  const config: TrainConfig = {
    ...defaultConfig(strategy, scenario.images),
    backboneId: BACKBONE,
    dataset: { id: scenario.datasetId, perClass: scenario.perClass },
    ...(QUICK ? { epochs: 2, headEpochs: 1 } : {}),
  };
  let epochsRun = 0;
  let started: Extract<FromWorker, { type: 'started' }> | null = null;
  const emit = (m: FromWorker) => {
    if (m.type === 'started') started = m;
    if (m.type === 'epoch') {
      epochsRun++;
      const e = m.metrics;
      console.log(`  ${strategy} ${e.phase} epoch ${e.epoch}: train ${e.trainAcc.toFixed(3)} val ${e.valAcc.toFixed(3)} loss ${e.valLoss.toFixed(3)} (${e.seconds.toFixed(1)} s)`);
    }
    if (m.type === 'log') console.log(`  [${m.level}] ${m.message}`);
  };
  console.log(`${scenario.datasetId} (${scenario.label}) — ${strategy}: ${config.epochs} epochs${strategy === 'fine-tuning' ? ` + ${config.headEpochs} head epochs, unfreeze ${config.unfreezeBlocks}` : ''}, batch ${config.batchSize}`);
  const out = await runTraining(`measure-${scenario.datasetId}-${strategy}`, config, env, emit, new AbortController().signal, realEngineDeps());
  if (out.status !== 'completed') throw new Error(`${scenario.datasetId} ${strategy}: ${out.status === 'failed' ? out.error : 'cancelled'}`);
  const val = out.result.confusion.flat().reduce((a, b) => a + b, 0);
  void started;
  return { scenario, strategy, config, result: out.result, epochsRun, train: scenario.images - val, val };
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

function table(rows: Row[]): string {
  const lines = [
    '| target | images (train / val) | strategy | epochs run | val accuracy | seconds | trainable params | rung |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.scenario.datasetId} (${r.scenario.label}) | ${r.train} / ${r.val} | ${r.strategy} | ${r.epochsRun} | ${pct(r.result.finalValAcc)} | ${r.result.totalSeconds.toFixed(0)} | ${r.result.trainableParams.toLocaleString('en-US')} | ${r.result.rung} |`),
  ];
  return lines.join('\n');
}

function verdicts(rows: Row[]): string[] {
  const find = (id: string, s: Strategy) => rows.find((r) => r.scenario.datasetId === id && r.strategy === s)!;
  const out: string[] = [];
  for (const sc of SCENARIOS) {
    const fe = find(sc.datasetId, 'feature-extraction');
    const ft = find(sc.datasetId, 'fine-tuning');
    const gap = (ft.result.finalValAcc - fe.result.finalValAcc) * 100;
    const timeShare = fe.result.totalSeconds / ft.result.totalSeconds;
    out.push(`- ${sc.datasetId} (${sc.label}): fine-tuning ${gap >= 0 ? 'beats' : 'trails'} feature extraction by ${Math.abs(gap).toFixed(1)} points; feature extraction took ${(timeShare * 100).toFixed(0)} % of fine-tuning's time.`);
  }
  return out;
}

function recipe(rows: Row[]): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const r of rows) {
    const c = r.config;
    const key = `${r.scenario.datasetId}-${r.strategy}`;
    if (seen.has(key)) continue;
    seen.add(key);
    lines.push(r.strategy === 'feature-extraction'
      ? `- ${r.scenario.datasetId}, feature extraction: head only, ${c.optimizer} lr ${c.learningRate}, up to ${c.epochs} epochs, batch ${c.batchSize}, early stopping (patience ${c.earlyStopping.patience}).`
      : `- ${r.scenario.datasetId}, fine-tuning: head alone for ${c.headEpochs} epochs at lr ${c.headLearningRate}, then the top ${c.unfreezeBlocks} blocks + head at lr ${c.learningRate} for up to ${c.epochs} epochs, batch ${c.batchSize}, early stopping (patience ${c.earlyStopping.patience}).`);
  }
  return lines.join('\n');
}

async function main() {
  const env: WorkerEnv = { resourcesDir: path.resolve(option('resources', path.join(ROOT, 'resources'))), dataDir: mkdtempSync(path.join(os.tmpdir(), 'tl-measure-')), backend: 'auto' };
  const rows: Row[] = [];
  for (const sc of SCENARIOS) for (const s of ['feature-extraction', 'fine-tuning'] as const) rows.push(await measure(sc, s, env));
  const cpu = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}`;
  const section = `## Transfer results
Measured by \`npx tsx build/measure-transfer.ts\` with this backbone, seed 42, validation 20 %
(stratified), on ${cpu}, ${new Date().toISOString().slice(0, 10)}. Seconds are whole runs (loading,
embedding, training, scoring); feature extraction's include computing the embeddings once.

${table(rows)}

${verdicts(rows).join('\n')}

Recipes (the Train form's defaults for these data sizes):
${recipe(rows)}
`;
  console.log(`\n${section}`);
  if (flag('no-write') || QUICK) return;
  const card = path.join(env.resourcesDir, 'models', BACKBONE, 'MODEL_CARD.md');
  const text = await readFile(card, 'utf8');
  const start = text.indexOf('## Transfer results');
  const next = start >= 0 ? text.indexOf('\n## ', start + 1) : -1;
  const updated = start < 0 ? `${text.trimEnd()}\n\n${section}` : `${text.slice(0, start)}${section}${next >= 0 ? text.slice(next) : ''}`;
  await writeFile(card, updated);
  console.log(`wrote ${card}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
