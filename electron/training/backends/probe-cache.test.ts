import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cachedProbe, defaultProbeCacheDir, probeCacheKey, type ProbeIdentity } from './probe-cache.js';
import { PROBE_MARKER, type ProbeOutput } from './native.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tl-probe-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const identity: ProbeIdentity = {
  package: '@tensorflow/tfjs-node-gpu', version: '4.22.0', entry: '/app/node_modules/@tensorflow/tfjs-node-gpu/dist/index.js',
  gpu: 'NVRM version: 550.54.14 | Model: NVIDIA H100 80GB HBM3 | GPU UUID: GPU-5b0c', libraries: 'libcudart.so.11.0 => /usr/local/cuda-11.2/lib64/libcudart.so.11.0',
  env: { LD_LIBRARY_PATH: '/usr/local/cuda-11.2/lib64', CUDA_VISIBLE_DEVICES: undefined }, runtime: 'node 20.20.2 abi 115 linux x64',
};
const completed: ProbeOutput = { exitCode: 0, stdout: `${PROBE_MARKER} {}\n`, stderr: 'Created device ... GPU:0', timedOut: false };

/** A probe that counts its runs and answers with the given output. */
function counting(output: ProbeOutput) {
  const c = { runs: 0, run: async () => { c.runs++; return output; } };
  return c;
}

describe('probeCacheKey', () => {
  it('is the same for the same machine and changes with the package version, the GPU/driver, the library path or the libraries', () => {
    const key = probeCacheKey(identity);
    expect(probeCacheKey({ ...identity, env: { CUDA_VISIBLE_DEVICES: undefined, LD_LIBRARY_PATH: '/usr/local/cuda-11.2/lib64' } })).toBe(key);
    expect(probeCacheKey({ ...identity, version: '4.23.0' })).not.toBe(key);
    expect(probeCacheKey({ ...identity, gpu: identity.gpu.replace('550.54.14', '555.42.02') })).not.toBe(key);
    expect(probeCacheKey({ ...identity, env: { ...identity.env, LD_LIBRARY_PATH: '' } })).not.toBe(key);
    expect(probeCacheKey({ ...identity, libraries: '' })).not.toBe(key);
  });
});

describe('cachedProbe', () => {
  it('misses, probes and stores; the next start hits and does not probe', async () => {
    const file = path.join(dir, 'hit.json');
    const p = counting(completed);
    const first = await cachedProbe({ file, key: 'k1', refresh: false, run: p.run });
    expect(first).toEqual({ output: completed, cached: false });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ key: 'k1', output: completed });
    const again = await cachedProbe({ file, key: 'k1', refresh: false, run: p.run });
    expect(again).toEqual({ output: completed, cached: true });
    expect(p.runs).toBe(1);
  });

  it('probes again when the key changed (new driver, GPU, package or libraries) and replaces the entry', async () => {
    const file = path.join(dir, 'changed.json');
    const p = counting(completed);
    await cachedProbe({ file, key: 'old', refresh: false, run: p.run });
    const next = await cachedProbe({ file, key: 'new', refresh: false, run: p.run });
    expect(next.cached).toBe(false);
    expect(p.runs).toBe(2);
    expect(JSON.parse(readFileSync(file, 'utf8')).key).toBe('new');
  });

  it('probes again when a refresh is asked for', async () => {
    const file = path.join(dir, 'refresh.json');
    const p = counting(completed);
    await cachedProbe({ file, key: 'k', refresh: false, run: p.run });
    expect((await cachedProbe({ file, key: 'k', refresh: true, run: p.run })).cached).toBe(false);
    expect(p.runs).toBe(2);
  });

  it('keeps only probes that ran to the end: a crash or a time-out is probed again next start', async () => {
    for (const [name, out] of [
      ['crash', { exitCode: 134, stdout: '', stderr: 'Aborted (core dumped)', timedOut: false }],
      ['timeout', { exitCode: null, stdout: '', stderr: '', timedOut: true }],
    ] as const) {
      const file = path.join(dir, `${name}.json`);
      const p = counting(out);
      await cachedProbe({ file, key: 'k', refresh: false, run: p.run });
      await cachedProbe({ file, key: 'k', refresh: false, run: p.run });
      expect(p.runs).toBe(2);
    }
  });

  it('treats an unreadable cache file as a miss', async () => {
    const file = path.join(dir, 'corrupt.json');
    writeFileSync(file, '{"key":"k","output":');
    const p = counting(completed);
    expect((await cachedProbe({ file, key: 'k', refresh: false, run: p.run })).cached).toBe(false);
    writeFileSync(file, JSON.stringify({ key: 'k', output: { exitCode: 'zero' } }));
    expect((await cachedProbe({ file, key: 'k', refresh: false, run: p.run })).cached).toBe(false);
    expect(p.runs).toBe(2);
  });
});

describe('defaultProbeCacheDir', () => {
  it("is the user's cache folder of each platform", () => {
    expect(defaultProbeCacheDir({}, 'linux', '/home/ada')).toBe('/home/ada/.cache/transfer-lab');
    expect(defaultProbeCacheDir({ XDG_CACHE_HOME: '/var/cache/ada' }, 'linux', '/home/ada')).toBe('/var/cache/ada/transfer-lab');
    expect(defaultProbeCacheDir({}, 'darwin', '/Users/ada')).toBe('/Users/ada/Library/Caches/transfer-lab');
    expect(defaultProbeCacheDir({ LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local' }, 'win32', 'C:\\Users\\ada')).toBe('C:\\Users\\ada\\AppData\\Local\\transfer-lab\\Cache');
  });
});
