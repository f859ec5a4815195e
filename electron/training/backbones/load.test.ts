import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { buildTlResnet } from './tl-resnet.js';
import { saveLayersModelToDir } from './model-io.js';
import { writeIntegrity } from '../../models/model-files.js';
import { catalogDir, importedDir, shippedDir } from '../../models/backbone-dirs.js';
import { loadBackbone } from './load.js';
import { buildMobileNetV1, buildPlainCnn, miniGraphModelFiles } from './testing/mini-models.js';

const root = mkdtempSync(path.join(tmpdir(), 'tl-backbones-'));
const dirs = { resourcesDir: path.join(root, 'resources'), dataDir: path.join(root, 'data') };
const input28 = () => tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 5) as tf.Tensor4D;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const m = buildTlResnet({ seed: 3 });
  await saveLayersModelToDir(m, shippedDir(dirs.resourcesDir, 'tl-resnet-s'), { preprocess: 'unit' });
  m.dispose();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('loadBackbone', () => {
  it('loads the shipped tl-resnet with identical weights, 4 blocks and [0,1] input', async () => {
    const fresh = buildTlResnet({ seed: 3 });
    const b = await loadBackbone('tl-resnet-s', dirs);
    expect(b).toMatchObject({ id: 'tl-resnet-s', format: 'layers', inputShape: [28, 28, 1], featureSize: 64 });
    expect(b.blocks.map((l) => l[0])).toEqual(['stem_conv', 'block1_conv1', 'block2_conv1', 'block3_conv1']);
    const x = input28();
    const px = b.preprocess(x);
    expect(Array.from(px.dataSync())).toEqual(Array.from(x.dataSync()));
    const a = b.model!.predict(px) as tf.Tensor;
    const e = fresh.predict(x) as tf.Tensor;
    expect(Array.from(a.dataSync())).toEqual(Array.from(e.dataSync()));
    tf.dispose([x, px, a, e]);
    b.model!.dispose();
    fresh.dispose();
  });

  it('cuts MobileNet v1 at the last pointwise ReLU with pooling, 14 blocks, [-1,1] input', async () => {
    const full = buildMobileNetV1(0.25, 32, 10);
    const dir = catalogDir(dirs.dataDir, 'mobilenet-mini');
    await saveLayersModelToDir(full, dir);
    // Rewrite it the way the official files are laid out (Keras 2.1 converter: no "format" field).
    const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
    writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ modelTopology: { keras_version: '2.1.4', backend: 'tensorflow', model_config: json.modelTopology }, weightsManifest: json.weightsManifest }));
    await writeIntegrity(dir, 'test');
    const b = await loadBackbone('mobilenet-mini', dirs);
    expect(b.inputShape).toEqual([32, 32, 3]);
    expect(b.featureSize).toBe(256);
    expect(b.blocks.length).toBe(14);
    expect(b.blocks[0]).toEqual(['conv1_pad', 'conv1', 'conv1_bn', 'conv1_relu']);
    expect(b.blocks[13].at(-1)).toBe('features_pool');
    expect(b.model!.layers.some((l) => l.name === 'conv_preds')).toBe(false);
    const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
    const px = b.preprocess(x);
    expect(px.min().dataSync()[0]).toBeLessThan(-0.9);
    const feats = b.model!.predict(px) as tf.Tensor;
    const ref = tf.model({ inputs: full.inputs, outputs: full.getLayer('conv_pw_13_relu').output as tf.SymbolicTensor });
    const expected = (ref.predict(px) as tf.Tensor).mean([1, 2]);
    expect(feats.sub(expected).abs().max().dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([x, px, feats, expected]);
    b.model!.dispose();
    full.dispose();
  });

  it('cuts an imported plain CNN before its classifier and groups its blocks', async () => {
    const dir = importedDir(dirs.dataDir, 'plain');
    const m = buildPlainCnn();
    await saveLayersModelToDir(m, dir);
    await writeIntegrity(dir, 'test');
    m.dispose();
    const b = await loadBackbone('plain', dirs);
    expect(b.featureSize).toBe(6);
    expect(b.blocks).toEqual([['c1', 'c1_bn', 'c1_relu', 'p1'], ['c2', 'features_pool']]);
    b.model!.dispose();
  });

  it('loads a graph model as a frozen extractor only', async () => {
    const dir = importedDir(dirs.dataDir, 'graph-mini');
    mkdirSync(dir, { recursive: true });
    const { modelJson, weights } = miniGraphModelFiles();
    writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
    writeFileSync(path.join(dir, 'group1-shard1of1.bin'), weights);
    await writeIntegrity(dir, 'test');
    const tensors = tf.memory().numTensors;
    const b = await loadBackbone('graph-mini', dirs);
    expect(b).toMatchObject({ format: 'graph', model: null, inputShape: [8, 8, 3], featureSize: 3, blocks: [] });
    const x = tf.ones([2, 8, 8, 3]) as tf.Tensor4D;
    const f = b.predictFeatures!(x);
    expect(Array.from(f.dataSync())).toEqual([1, 2, 3, 1, 2, 3]);
    tf.dispose([x, f]);
    // The graph's weights live outside any layers model: only its own dispose frees them.
    expect(tf.memory().numTensors).toBeGreaterThan(tensors);
    b.dispose!();
    b.dispose!(); // twice is harmless
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('frees what it loaded when a model turns out unusable', async () => {
    const tensors = tf.memory().numTensors;
    const graph = importedDir(dirs.dataDir, 'graph-any-size');
    mkdirSync(graph, { recursive: true });
    const { modelJson, weights } = miniGraphModelFiles();
    const anySize = JSON.parse(JSON.stringify(modelJson).replace('{"size":"8"},{"size":"8"}', '{"size":"-1"},{"size":"-1"}'));
    writeFileSync(path.join(graph, 'model.json'), JSON.stringify(anySize));
    writeFileSync(path.join(graph, 'group1-shard1of1.bin'), weights);
    await writeIntegrity(graph, 'test');
    await expect(loadBackbone('graph-any-size', dirs)).rejects.toThrow("Model 'graph-any-size' is not available: its input size is not fixed");
    const mlp = tf.sequential({ layers: [tf.layers.dense({ inputShape: [10], units: 2 })] });
    await saveLayersModelToDir(mlp, importedDir(dirs.dataDir, 'mlp'));
    await writeIntegrity(importedDir(dirs.dataDir, 'mlp'), 'test');
    mlp.dispose();
    await expect(loadBackbone('mlp', dirs)).rejects.toThrow("Model 'mlp' is not available: its input has shape [null, 10]");
    const pool = tf.sequential({ layers: [tf.layers.maxPooling2d({ inputShape: [8, 8, 3], poolSize: 2 })] });
    await saveLayersModelToDir(pool, importedDir(dirs.dataDir, 'pool-only'));
    await writeIntegrity(importedDir(dirs.dataDir, 'pool-only'), 'test');
    pool.dispose();
    await expect(loadBackbone('pool-only', dirs)).rejects.toThrow("Model 'pool-only' is not available: none of its 1 layers has weights: there is nothing pretrained to transfer");
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('says clearly when a model is missing, truncated, altered or not a model', async () => {
    await expect(loadBackbone('nope', dirs)).rejects.toThrow("Model 'nope' is not available: it is not shipped, downloaded or imported");
    await expect(loadBackbone('../etc', dirs)).rejects.toThrow("Model '../etc' is not available: that is not a valid model id");

    const short = catalogDir(dirs.dataDir, 'short');
    cpSync(shippedDir(dirs.resourcesDir, 'tl-resnet-s'), short, { recursive: true });
    await writeIntegrity(short, 'test');
    truncateSync(path.join(short, 'weights.bin'), 1000);
    await expect(loadBackbone('short', dirs)).rejects.toThrow(/Model 'short' is not available: weight file weights.bin holds 1000 bytes but the manifest's shapes and dtypes need 31\d+/);

    const altered = catalogDir(dirs.dataDir, 'altered');
    cpSync(shippedDir(dirs.resourcesDir, 'tl-resnet-s'), altered, { recursive: true });
    await writeIntegrity(altered, 'test');
    const w = readFileSync(path.join(altered, 'weights.bin'));
    w[100] ^= 0xff;
    writeFileSync(path.join(altered, 'weights.bin'), w);
    await expect(loadBackbone('altered', dirs)).rejects.toThrow("Model 'altered' is not available: weights.bin changed since it was stored (sha256 mismatch)");

    const junk = importedDir(dirs.dataDir, 'junk');
    mkdirSync(junk, { recursive: true });
    writeFileSync(path.join(junk, 'model.json'), '{"modelTopology": ');
    await expect(loadBackbone('junk', dirs)).rejects.toThrow("Model 'junk' is not available: model.json is not valid JSON");
  });
});

describe('the shipped tl-resnet-s in resources/', () => {
  const resources = path.resolve(import.meta.dirname, '../../../resources');
  it('loads with its architecture and pretrained weights', async () => {
    const real = { resourcesDir: resources, dataDir: dirs.dataDir };
    const b = await loadBackbone('tl-resnet-s', real);
    expect(b).toMatchObject({ format: 'layers', inputShape: [28, 28, 1], featureSize: 64 });
    expect(b.blocks.length).toBe(4);
    // Pretrained, not freshly initialised: its weights differ from a new network with its seed.
    const fresh = buildTlResnet({ seed: 20240611 });
    const w = b.model!.getLayer('block3_bn2').getWeights()[2].dataSync();
    expect(Array.from(w)).not.toEqual(Array.from(fresh.getLayer('block3_bn2').getWeights()[2].dataSync()));
    b.model!.dispose();
    fresh.dispose();
  });
});
