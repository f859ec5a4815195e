import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkShardSizes, modelFormat, parseModelJson, readModelFolder, weightBytes } from './model-files.js';
import { miniGraphModelFiles } from '../training/backbones/testing/mini-models.js';

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

describe('reading a model folder from disk', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'tl-model-files-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const SHARD = 'group1-shard1of1.bin';
  let n = 0;
  /** A graph-model folder (3 float32 weights = 12 bytes) whose shard `place` puts in position. */
  function folder(place: (shard: string) => void): string {
    const dir = path.join(root, `m${n++}`);
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'model.json'), JSON.stringify(miniGraphModelFiles().modelJson));
    place(path.join(dir, SHARD));
    return dir;
  }

  it('reads a real folder', async () => {
    const dir = folder((f) => writeFileSync(f, miniGraphModelFiles().weights));
    const m = await readModelFolder(dir);
    expect(m.files).toEqual([{ file: SHARD, bytes: 12 }]);
    const shard = m.contents.get(SHARD)!;
    expect(Array.from(new Float32Array(Uint8Array.from(shard).buffer))).toEqual([1, 2, 3]);
  });

  it('refuses a weight file that links out of the folder before reading it', async () => {
    const passwd = folder((f) => symlinkSync('/etc/passwd', f));
    const err = await readModelFolder(passwd).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe(`weight file ${SHARD} is a symbolic link; only real files inside the model folder are read (copy the file in instead of linking it)`);
    expect((err as Error).message).not.toContain(String(statSync('/etc/passwd').size));
    // Read without a limit, this would fill memory with zeros.
    await expect(readModelFolder(folder((f) => symlinkSync('/dev/zero', f)))).rejects.toThrow(`weight file ${SHARD} is a symbolic link`);
    const linkedJson = folder((f) => writeFileSync(f, miniGraphModelFiles().weights));
    renameSync(path.join(linkedJson, 'model.json'), path.join(root, 'elsewhere.json'));
    symlinkSync(path.join(root, 'elsewhere.json'), path.join(linkedJson, 'model.json'));
    await expect(readModelFolder(linkedJson)).rejects.toThrow('model.json is a symbolic link');
  });

  it.skipIf(process.platform === 'win32')('refuses a FIFO as a weight file without waiting for a writer', async () => {
    const dir = folder((f) => execFileSync('mkfifo', [f]));
    await expect(readModelFolder(dir)).rejects.toThrow(`weight file ${SHARD} is a named pipe (FIFO), not a regular file`);
    await expect(readModelFolder(folder((f) => mkdirSync(f)))).rejects.toThrow(`weight file ${SHARD} is a folder, not a regular file`);
  });

  it('checks every shard size against the manifest before reading any byte', async () => {
    // A sparse 3 GiB file takes no disk space; reading it whole would need 3 GiB of memory.
    const dir = folder((f) => {
      const fd = openSync(f, 'w');
      ftruncateSync(fd, 3 * 2 ** 30);
      closeSync(fd);
    });
    await expect(readModelFolder(dir)).rejects.toThrow(`weight file ${SHARD} holds ${3 * 2 ** 30} bytes but the manifest's shapes and dtypes need 12`);
  });
});
