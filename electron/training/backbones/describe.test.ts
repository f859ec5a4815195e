import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { catalogDir, importedDir, shippedDir } from '../../models/backbone-dirs.js';
import { BackboneFacts, FACTS_FILE } from '../../models/facts.js';
import { filesFingerprint } from '../../models/fingerprint.js';
import { readIntegrity, writeIntegrity } from '../../models/model-files.js';
import { describeBackbone, describeModel } from './describe.js';
import { loadBackbone } from './load.js';
import { saveLayersModelToDir } from './model-io.js';
import { blockParams } from './recipes.js';
import { buildTlResnet } from './tl-resnet.js';
import { miniGraphModelFiles } from './testing/mini-models.js';

const root = mkdtempSync(path.join(tmpdir(), 'tl-describe-'));
const dirs = { resourcesDir: path.join(root, 'resources'), dataDir: path.join(root, 'data') };

beforeAll(async () => {
  await tf.setBackend('cpu');
  const m = buildTlResnet({ seed: 3 });
  await saveLayersModelToDir(m, shippedDir(dirs.resourcesDir, 'tl-resnet-s'), { preprocess: 'unit' });
  m.dispose();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('describeBackbone', () => {
  it('gives the parameters per block that fine-tuning unfreezes, and frees what it loaded', async () => {
    const tensors = tf.memory().numTensors;
    const facts = await describeBackbone('tl-resnet-s', dirs);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(facts).toMatchObject({ format: 'layers', family: 'tl-resnet', canFineTune: true, inputShape: [28, 28, 1], featureSize: 64, totalParams: 77_776, preprocess: 'unit' });
    // Trainable parameters only (BatchNorm moving statistics are not trained): stem 176, block1 4,672, ...
    expect(facts.blockParams).toEqual([176, 4672, 14528, 57728]);
    expect(facts.sizeBytes).toBeGreaterThan(77_776 * 4);
    // The same blocks the engine groups when it loads the backbone for a run.
    const b = await loadBackbone('tl-resnet-s', dirs);
    expect(blockParams(b.model!, b.blocks)).toEqual(facts.blockParams);
    b.model!.dispose();
  });

  it('fingerprints the files it read as integrity.json records them', async () => {
    const dir = catalogDir(dirs.dataDir, 'copy');
    cpSync(shippedDir(dirs.resourcesDir, 'tl-resnet-s'), dir, { recursive: true });
    const integrity = await writeIntegrity(dir, 'test');
    const facts = await describeBackbone('copy', dirs);
    expect(facts.fingerprint).toBe(filesFingerprint(integrity.files));
    expect(filesFingerprint((await readIntegrity(dir))!.files)).toBe(facts.fingerprint);
    expect(facts.fingerprint).toBe((await describeBackbone('tl-resnet-s', dirs)).fingerprint);
  });

  it('describes a graph model as a frozen extractor without blocks', async () => {
    const dir = importedDir(dirs.dataDir, 'graph-mini');
    mkdirSync(dir, { recursive: true });
    const { modelJson, weights } = miniGraphModelFiles();
    writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
    writeFileSync(path.join(dir, 'group1-shard1of1.bin'), weights);
    await writeIntegrity(dir, 'test');
    const tensors = tf.memory().numTensors;
    const facts = await describeBackbone('graph-mini', dirs);
    expect(facts).toMatchObject({ format: 'graph', family: 'graph', canFineTune: false, blockParams: [], totalParams: 3, featureSize: 3, inputShape: [8, 8, 3], layers: 0 });
    expect(tf.memory().numTensors).toBe(tensors);
  });
});

describe('describeModel (the worker\'s answer)', () => {
  it('answers with the reason alone when a model cannot be used', async () => {
    const mlp = tf.sequential({ layers: [tf.layers.dense({ inputShape: [10], units: 2 })] });
    await saveLayersModelToDir(mlp, importedDir(dirs.dataDir, 'mlp'));
    await writeIntegrity(importedDir(dirs.dataDir, 'mlp'), 'test');
    mlp.dispose();
    expect(await describeModel('mlp', dirs)).toEqual({ usable: false, reason: 'its input has shape [null, 10]; an image model needs [batch, height, width, channels]' });
    expect(await describeModel('nope', dirs)).toEqual({ usable: false, reason: 'it is not shipped, downloaded or imported (no model.json found)' });
    expect(await describeModel('tl-resnet-s', dirs)).toMatchObject({ usable: true, facts: { family: 'tl-resnet' } });
  });
});

describe('the shipped tl-resnet-s in resources/', () => {
  const resources = path.resolve(import.meta.dirname, '../../../resources');
  it('has a facts.json that matches what the worker computes from its files', async () => {
    const stored = BackboneFacts.parse(JSON.parse(readFileSync(path.join(shippedDir(resources, 'tl-resnet-s'), FACTS_FILE), 'utf8')));
    const computed = await describeBackbone('tl-resnet-s', { resourcesDir: resources, dataDir: dirs.dataDir });
    // build/pretrain-backbone.ts rewrites facts.json whenever it rewrites the model.
    expect(stored, `resources/models/tl-resnet-s/${FACTS_FILE} is stale`).toEqual(computed);
    expect(computed).toMatchObject({ canFineTune: true, inputShape: [28, 28, 1], totalParams: 77_776, blockParams: [176, 4672, 14528, 57728] });
  });
});
