import { describe, expect, it } from 'vitest';
import { checkShardSizes, modelFormat, parseModelJson, weightBytes } from './model-files.js';

describe('model.json checks', () => {
  it('tells layers from graph models, including the older Keras-converted files', () => {
    // The official MobileNet v1 layers files predate the "format" field.
    expect(modelFormat({ modelTopology: { keras_version: '2.1.4', backend: 'tensorflow', model_config: {} }, weightsManifest: [] })).toBe('layers');
    expect(modelFormat({ format: 'layers-model', modelTopology: {}, weightsManifest: [] })).toBe('layers');
    expect(modelFormat({ modelTopology: { node: [], versions: {} }, weightsManifest: [] })).toBe('graph');
    expect(() => modelFormat({ modelTopology: { foo: 1 }, weightsManifest: [] })).toThrow('neither a tfjs layers model nor a graph model');
  });

  it('sizes weights from shape and (quantized) dtype', () => {
    expect(weightBytes({ name: 'k', shape: [3, 3, 8, 16], dtype: 'float32' })).toBe(4608);
    expect(weightBytes({ name: 'k', shape: [10], dtype: 'float32', quantization: { dtype: 'uint8', min: 0, scale: 1 } })).toBe(10);
    expect(() => weightBytes({ name: 's', shape: [1], dtype: 'string' })).toThrow("weight 's' has dtype 'string'");
  });

  it('checks sharded groups as a whole and names the files', () => {
    const manifest = [{ paths: ['g1-shard1of2.bin', 'g1-shard2of2.bin'], weights: [{ name: 'w', shape: [1000], dtype: 'float32' as const }] }];
    expect(checkShardSizes(manifest, (f) => (f.endsWith('1of2.bin') ? 3000 : 1000))).toEqual([{ file: 'g1-shard1of2.bin', bytes: 3000 }, { file: 'g1-shard2of2.bin', bytes: 1000 }]);
    expect(() => checkShardSizes(manifest, (f) => (f.endsWith('1of2.bin') ? 3000 : 999))).toThrow("weight files g1-shard1of2.bin, g1-shard2of2.bin hold 3999 bytes but the manifest's shapes and dtypes need 4000");
    expect(() => checkShardSizes(manifest, (f) => (f.endsWith('1of2.bin') ? 3000 : null))).toThrow('weight file g1-shard2of2.bin is missing');
  });

  it('refuses weight paths that leave the model folder', () => {
    const json = (p: string) => JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: [p], weights: [] }] });
    expect(() => parseModelJson(json('../secret.bin'))).toThrow('must be a plain file name in the model folder');
    expect(() => parseModelJson(json('/etc/passwd'))).toThrow('must be a plain file name');
    expect(() => parseModelJson('{"weightsManifest": []}')).toThrow('has no "modelTopology"');
    expect(parseModelJson(json('group1-shard1of1.bin')).weightsManifest[0].paths).toEqual(['group1-shard1of1.bin']);
  });
});
