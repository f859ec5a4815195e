import { describe, expect, it } from 'vitest';
import { planUpload, pickedFromInput } from './upload-files.js';

const blob = (bytes: number) => new Blob([new Uint8Array(bytes)]);
const limits = { files: 3, fileBytes: 100, totalBytes: 250 };

describe('planning an upload', () => {
  it('takes one dropped folder as the upload: its name names it, its subfolders are the classes', () => {
    const plan = planUpload([
      { path: 'pets/cats/a.jpg', file: blob(10) },
      { path: 'pets/dogs/b.jpg', file: blob(10) },
      { path: 'pets/readme.txt', file: blob(5) },
      { path: 'pets/.DS_Store', file: blob(5) },
    ], limits);
    expect(plan.name).toBe('pets');
    expect(plan.files.map((f) => f.path)).toEqual(['cats/a.jpg', 'dogs/b.jpg']);
    expect(plan.skipped).toEqual([{ file: 'pets/readme.txt', reason: expect.stringMatching(/not inside a class folder/) }]);
    expect(plan.problem).toBeNull();
  });

  it('takes class folders dropped side by side as they are', () => {
    const plan = planUpload([{ path: 'cats/a.jpg', file: blob(1) }, { path: 'dogs/b.jpg', file: blob(1) }], limits);
    expect(plan.name).toBe('upload');
    expect(plan.files.map((f) => f.path)).toEqual(['cats/a.jpg', 'dogs/b.jpg']);
  });

  it('skips an image over the size limit and refuses an upload over the count or total limits', () => {
    const big = planUpload([{ path: 'p/cats/a.jpg', file: blob(101) }, { path: 'p/cats/b.jpg', file: blob(100) }], limits);
    expect(big.skipped).toEqual([{ file: 'cats/a.jpg', reason: expect.stringMatching(/larger than/) }]);
    expect(big.problem).toBeNull();
    const many = planUpload(['a', 'b', 'c', 'd'].map((n) => ({ path: `p/c/${n}.jpg`, file: blob(1) })), limits);
    expect(many.problem).toMatch(/at most 3/);
    const heavy = planUpload(['a', 'b', 'c'].map((n) => ({ path: `p/c/${n}.jpg`, file: blob(90) })), limits);
    expect(heavy.problem).toMatch(/at most/);
    expect(planUpload([], limits).problem).toMatch(/Nothing to upload/);
  });

  it('reads the paths a folder picker gives', () => {
    const file = new File(['x'], 'a.jpg');
    Object.defineProperty(file, 'webkitRelativePath', { value: 'pets/cats/a.jpg' });
    expect(pickedFromInput([file])[0].path).toBe('pets/cats/a.jpg');
  });
});
