// Bundles the Node-side entry points to CommonJS files in dist/electron/. npm packages stay
// external (native modules and tfjs are loaded from node_modules at run time); the sandboxed
// preload is self-contained apart from `electron`.
import { writeFile } from 'node:fs/promises';
import { build } from 'esbuild';

// Sources are ESM and may use import.meta.url (e.g. createRequire); in the CommonJS bundle it is
// derived from __filename.
const common = {
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning',
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
};

await Promise.all([
  build({ ...common, entryPoints: { main: 'electron/main/main.ts' }, outdir: 'dist/electron', outExtension: { '.js': '.cjs' }, packages: 'external' }),
  build({ ...common, entryPoints: { server: 'electron/server/cli.ts' }, outdir: 'dist/electron', outExtension: { '.js': '.cjs' }, packages: 'external' }),
  build({ ...common, entryPoints: { worker: 'electron/training/worker.ts' }, outdir: 'dist/electron', outExtension: { '.js': '.cjs' }, packages: 'external' }),
  // A data-parallel run's helper threads, started by the worker from the file next to it.
  build({ ...common, entryPoints: { 'shard-thread': 'electron/training/shards/shard-thread.ts' }, outdir: 'dist/electron', outExtension: { '.js': '.cjs' }, packages: 'external' }),
  build({ ...common, entryPoints: { preload: 'electron/preload/preload.ts' }, outdir: 'dist/electron', outExtension: { '.js': '.cjs' }, external: ['electron'] }),
  // The hidden GPU window's own preload: it passes one MessagePort to its page, nothing else.
  build({ ...common, entryPoints: { 'window-worker-preload': 'electron/preload/window-worker-preload.ts' }, outdir: 'dist/electron', outExtension: { '.js': '.cjs' }, external: ['electron'] }),
  // The window worker runs in a renderer (hidden window, or a tab's Web Worker): one self-contained
  // browser script with tfjs inside. Built for the browser, so any node: import fails the build:
  // the guarantee that the engine it carries is pure.
  build({
    bundle: true, platform: 'browser', target: 'chrome120', format: 'iife', sourcemap: true, logLevel: 'warning', minify: true,
    entryPoints: { 'window-worker': 'electron/training/window/window-entry.ts' }, outdir: 'dist/window-worker',
  }),
]);
// The hidden GPU window's page (desktop): the bundle and nothing else, under the worker's own policy.
await writeFile('dist/window-worker/index.html', `<!doctype html><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'; connect-src 'self'"><title>Transfer Lab GPU training</title><script src="window-worker.js"></script>\n`);
console.log('Bundled main, preload, server, worker and its threads into dist/electron/, the window worker into dist/window-worker/');
