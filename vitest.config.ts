import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Unit tests sit next to their files. Two projects: Node code (services, training, build scripts)
// and the renderer (Svelte components in jsdom, resolved with browser conditions).
export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    projects: [
      { extends: true, test: { name: 'node', include: ['electron/**/*.test.ts', 'build/**/*.test.ts', 'bench/**/*.test.ts'], environment: 'node', pool: 'forks' } },
      {
        extends: true,
        plugins: [svelte()],
        resolve: { conditions: ['browser'] },
        test: { name: 'renderer', include: ['renderer/**/*.test.ts'], environment: 'jsdom' },
      },
    ],
  },
});
