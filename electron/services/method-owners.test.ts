import { describe, expect, it } from 'vitest';
import { methodNames } from '../contract/index.js';
import { METHOD_OWNERS, ownerOf } from './method-owners.js';

describe('METHOD_OWNERS', () => {
  it('names every method of the contract exactly once', () => {
    const listed = Object.values(METHOD_OWNERS).flat();
    expect([...listed].sort()).toEqual([...methodNames].sort());
    expect(new Set(listed).size).toBe(listed.length);
  });
  it('says who answers the methods whose names do not', () => {
    expect(ownerOf('runs.exportModel')).toBe('training');
    expect(ownerOf('device.probe')).toBe('training');
    expect(ownerOf('flowchart.analyze')).toBe('training');
    expect(ownerOf('guided.get')).toBe('lessons');
    expect(ownerOf('datasets.list')).toBe('datasets');
  });
});
