import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeRegistry } from '../../datasets/folder-registry.js';
import { trainableImages } from './dataset-images.js';

const resourcesDir = resolve(__dirname, '../../../resources');

describe('trainableImages', () => {
  it('counts a shipped set\'s pool (never its test pool) and a folder less its test share', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tl-size-'));
    const dirs = { resourcesDir, dataDir };
    expect(await trainableImages({ id: 'digits', perClass: null }, dirs)).toBe(8000);
    expect(await trainableImages({ id: 'digits', perClass: 50 }, dirs)).toBe(500);
    expect(await trainableImages({ id: 'fashion-target', perClass: null }, dirs)).toBe(30000);
    const info = { id: 'folder-0123456789ab', name: 'pets', source: 'folder' as const, role: 'user' as const, description: '', classes: ['a', 'b'], counts: [60, 40], imageSize: [8, 8, 3] as [number, number, number] };
    await writeRegistry(dataDir, [{ id: info.id, path: dataDir, addedAt: new Date(0).toISOString(), info }]);
    expect(await trainableImages({ id: info.id, perClass: 50 }, dirs)).toBe(72);
    expect(await trainableImages({ id: 'nothing-here', perClass: null }, dirs)).toBeNull();
  });
});
