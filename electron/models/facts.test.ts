import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FACTS_FILE, readFacts, writeFacts, type BackboneFacts } from './facts.js';

const root = mkdtempSync(path.join(tmpdir(), 'tl-facts-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const facts: BackboneFacts = {
  format: 'layers', family: 'generic', inputShape: [16, 16, 3], featureSize: 6, totalParams: 350,
  blockParams: [120, 222], canFineTune: true, preprocess: 'unit', layers: 7, sizeBytes: 4000, fingerprint: '0'.repeat(64),
};
let n = 0;
const folder = () => {
  const dir = path.join(root, `m${n++}`);
  mkdirSync(dir);
  return dir;
};

describe('facts.json', () => {
  it('round-trips, with the stamps of the files it was computed from', async () => {
    const dir = folder();
    const seen = { 'model.json': { bytes: 100, mtimeMs: 1.5 } };
    await writeFacts(dir, facts, seen);
    expect(await readFacts(dir)).toEqual({ ...facts, seen });
    expect(readdirSync(dir)).toEqual([FACTS_FILE]);
  });

  it('reads as missing when absent, damaged or of another shape, so the worker is asked again', async () => {
    const dir = folder();
    expect(await readFacts(dir)).toBeNull();
    writeFileSync(path.join(dir, FACTS_FILE), '{"format": ');
    expect(await readFacts(dir)).toBeNull();
    writeFileSync(path.join(dir, FACTS_FILE), JSON.stringify({ ...facts, blockParams: 'many' }));
    expect(await readFacts(dir)).toBeNull();
  });

  it('replaces a link in its place instead of writing through it', async () => {
    const dir = folder();
    const outside = path.join(root, 'outside.json');
    writeFileSync(outside, 'untouched');
    symlinkSync(outside, path.join(dir, FACTS_FILE));
    expect(await readFacts(dir)).toBeNull();
    await writeFacts(dir, facts);
    expect(readFileSync(outside, 'utf8')).toBe('untouched');
    expect(await readFacts(dir)).toEqual(facts);
  });
});
