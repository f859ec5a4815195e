import { describe, expect, it } from 'vitest';
import { physicalCores, poolSize, THREAD_MEMORY_BYTES, threadsPerRun, WORKER_MEMORY_BYTES } from './pool-size.js';

const cpuinfo = (cores: [string, string][]) => cores.map(([p, c]) => `processor\t: x\nphysical id\t: ${p}\ncore id\t\t: ${c}\n`).join('\n');

describe('physicalCores', () => {
  it('counts unique cores, not hyper-threads', () => {
    expect(physicalCores(cpuinfo([['0', '0'], ['0', '1'], ['0', '0'], ['0', '1']]), 4)).toBe(2);
    expect(physicalCores(cpuinfo([['0', '0'], ['1', '0']]), 2)).toBe(2);
  });
  it('falls back to the logical count without cpuinfo', () => {
    expect(physicalCores(null, 6)).toBe(6);
    expect(physicalCores('no such fields', 3)).toBe(3);
  });
});

describe('poolSize', () => {
  it('uses one worker per physical core when memory allows', () => {
    expect(poolSize('auto', { cores: 4, freeBytes: 16 * 1024 ** 3 })).toBe(4);
  });
  it('runs fewer where memory is short, never none', () => {
    expect(poolSize('auto', { cores: 8, freeBytes: 3 * WORKER_MEMORY_BYTES })).toBe(3);
    expect(poolSize('auto', { cores: 8, freeBytes: 100 })).toBe(1);
  });
  it('takes a number as asked', () => {
    expect(poolSize(3, { cores: 1, freeBytes: 0 })).toBe(3);
  });
});

describe('threadsPerRun', () => {
  it('splits the cores between the runs, at least one each, fewer where memory is short', () => {
    const plenty = 64 * 1024 ** 3;
    expect([threadsPerRun(1, 8, plenty), threadsPerRun(2, 8, plenty), threadsPerRun(3, 8, plenty), threadsPerRun(9, 8, plenty)]).toEqual([8, 4, 2, 1]);
    expect(threadsPerRun(1, 8, 2 * THREAD_MEMORY_BYTES)).toBe(3);
    expect(threadsPerRun(2, 8, 0)).toBe(1);
  });
});
