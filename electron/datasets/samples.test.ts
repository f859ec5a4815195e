import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderIdFor, writeRegistry } from './folder-registry.js';
import { resolveRoot } from './folder-walk.js';
import { renderSampleImages } from './samples.js';
import { makeFifo, makeImageFolder, type FolderFixture } from './testing/image-folder.js';

const resourcesDir = fileURLToPath(new URL('../../resources', import.meta.url));
let fx: FolderFixture;
let dirs: { resourcesDir: string; dataDir: string };
let id: string;

beforeAll(async () => {
  fx = await makeImageFolder({ n: 2, withEmptyClass: false });
  dirs = { resourcesDir, dataDir: mkdtempSync(join(tmpdir(), 'tl-samples-')) };
  const root = await resolveRoot(fx.root);
  id = folderIdFor(root);
  const info = { id, name: 'pets', source: 'folder' as const, role: 'user' as const, description: '', classes: ['cats', 'dogs'], counts: [2, 2], imageSize: [16, 20, 3] as [number, number, number], path: root };
  await writeRegistry(dirs.dataDir, [{ id, path: root, addedAt: new Date(0).toISOString(), info }]);
});
afterAll(() => {
  rmSync(fx.base, { recursive: true, force: true });
  rmSync(dirs.dataDir, { recursive: true, force: true });
});

describe('renderSampleImages', () => {
  it('leaves out a FIFO named like an image without blocking, however often it is asked for', async () => {
    makeFifo(join(fx.root, 'cats', 'x.png'));
    // More calls than libuv has threads: a blocking open would leave none for later file calls.
    const answers = await Promise.all(Array.from({ length: 6 }, () => renderSampleImages(dirs, id, ['cats/x.png'])));
    expect(answers).toEqual(Array.from({ length: 6 }, () => []));
    const later = await renderSampleImages(dirs, id, ['cats/cat0.png', 'cats/x.png']);
    expect(later.map((s) => s.id)).toEqual(['cats/cat0.png']);
  });
});
