import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Unit tests sit next to their files. Node code (services, training, build scripts) and the renderer
// (Svelte components in jsdom, resolved with browser conditions). The files that train, start
// processes or threads, or time things (training, sweeps, the bench) each use the machine's cores
// themselves: they run one at a time, after the rest, which run side by side.
const heavy = ['electron/training/**/*.test.ts', 'electron/services/training/**/*.test.ts', 'electron/services/sweeps/**/*.test.ts', 'bench/**/*.test.ts'];
const node = ['electron/**/*.test.ts', 'build/**/*.test.ts', 'bench/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'node', include: node, exclude: heavy, environment: 'node', pool: 'forks', sequence: { groupOrder: 0 } } },
      {
        extends: true,
        plugins: [svelte()],
        resolve: { conditions: ['browser'] },
        test: { name: 'renderer', include: ['renderer/**/*.test.ts'], environment: 'jsdom', sequence: { groupOrder: 0 } },
      },
      { extends: true, test: { name: 'training', include: heavy, environment: 'node', pool: 'forks', fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
