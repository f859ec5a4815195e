// Import rules of Transfer Lab, checked by `npm run lint:imports` (part of `npm test`).
// ARCHITECTURE.md explains each room and why these rules hold.
const SHELLS_AND_SERVICES = '^electron/(main|preload|server|services|contract|datasets|models|files|security|worker-protocol)/';
const TESTS = '(\\.test\\.ts$|/testing/)';
// The worker process's Node host of the engine: files, processes, native backends.
const NODE_HOST_FILES = '^electron/training/(engine/(node-host|node-export-model|parts)|backbones/(model-io|load|describe))\\.ts$';
// Node's own modules, with or without the node: prefix.
const NODE_BUILTINS = '^(node:.+|fs|fs/promises|path|crypto|os|child_process|url|util|zlib|stream|events|buffer|worker_threads|net|http|https|module|process|v8|vm)$';

module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', comment: 'Imports go one way; a cycle means two files are one concern.', from: {}, to: { circular: true } },
    { name: 'unresolvable', severity: 'error', comment: 'Every import resolves to a file or an installed package (tsx/esm/api resolves through package exports this resolver does not read).', from: {}, to: { couldNotResolve: true, pathNot: ['^svelte/internal/', '^@tensorflow/tfjs-node', '^tsx/esm/api$'] } },
    {
      name: 'renderer-sees-only-the-contract', severity: 'error',
      comment: 'The renderer talks to the app only through the contract (lib/api.ts is its one client).',
      from: { path: '^renderer/' }, to: { path: '^electron/', pathNot: '^electron/contract/' },
    },
    {
      name: 'no-tensorflow-outside-the-worker', severity: 'error',
      comment: 'TensorFlow.js runs only in the training worker; the main and server processes stay light.',
      from: { path: SHELLS_AND_SERVICES, pathNot: TESTS }, to: { path: '@tensorflow/' },
    },
    {
      name: 'no-tensorflow-reachable-from-the-shells', severity: 'error',
      comment: 'Not even through another file: loading a module that loads TensorFlow.js counts.',
      from: { path: '^electron/(main|server|services|lab-worker)/', pathNot: TESTS }, to: { path: '@tensorflow/', reachable: true },
    },
    {
      name: 'electron-only-in-the-shell', severity: 'error',
      comment: 'Only the desktop shell (main, preload) imports electron; everything else runs under plain Node.',
      from: { pathNot: ['^electron/(main|preload)/', '^e2e/electron\\.spec\\.ts$', '^build/start\\.mjs$'] }, to: { path: '^node_modules/electron/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'contract-stands-alone', severity: 'error',
      comment: 'The contract is shared by every process and the renderer: it needs nothing but zod.',
      from: { path: '^electron/contract/', pathNot: TESTS }, to: { pathNot: ['^electron/contract/', '^node_modules/zod/'] },
    },
    {
      name: 'preload-sees-only-the-contract', severity: 'error',
      from: { path: '^electron/preload/' }, to: { path: '^electron/', pathNot: '^electron/(contract|preload)/' },
    },
    {
      name: 'window-engine-needs-no-node', severity: 'error',
      comment: 'The window worker (a hidden window, a tab\'s Web Worker) runs the engine in a renderer: the window folder and the pure engine it loads import nothing that needs Node, sharp, SQLite or the file readers, nor the worker process\'s Node host. Type-only imports are erased and allowed; the window bundle, built for the browser, fails on anything else that slips through.',
      from: { path: '^electron/training/(window|engine|backbones)/', pathNot: [TESTS, NODE_HOST_FILES] },
      to: {
        dependencyTypesNot: ['type-only'],
        path: [NODE_BUILTINS, '^node_modules/(sharp|better-sqlite3)/', '^electron/(files|datasets|models)/', '^electron/training/(backends|kernels)/', NODE_HOST_FILES],
        pathNot: ['^electron/datasets/(stratify|prng|types)\\.ts$', '^electron/models/input-shape\\.ts$'],
      },
    },
    {
      name: 'services-reach-the-worker-only-by-messages', severity: 'error',
      comment: 'Services start the worker and talk to it through the worker protocol, never by importing its code.',
      from: { path: '^electron/(services|server|main|lab-worker)/', pathNot: TESTS }, to: { path: '^electron/training/' },
    },
    {
      name: 'shared-code-stays-below-its-users', severity: 'error',
      comment: 'Data sets, models and the worker protocol are used by services and worker alike; they import neither.',
      from: { path: '^electron/(datasets|models|files|worker-protocol|security)/', pathNot: TESTS }, to: { path: '^electron/(main|preload|server|services|training)/' },
    },
    {
      name: 'worker-knows-no-shell', severity: 'error',
      comment: 'The training worker runs in its own process: it must not pull in a shell or the services.',
      from: { path: '^electron/training/' }, to: { path: '^electron/(main|preload|server|services|lab-worker)/' },
    },
    {
      name: 'server-and-main-apart', severity: 'error',
      comment: 'The two shells bind the same services; neither imports the other.',
      from: { path: '^electron/server/' }, to: { path: '^electron/main/' },
    },
    {
      name: 'lab-worker-is-a-shell-of-its-own', severity: 'error',
      comment: 'The lab worker (npm run worker) binds the remote queue to local training processes; it needs neither desktop nor browser shell, and no shell needs it.',
      from: { path: '^electron/lab-worker/' }, to: { path: '^electron/(main|preload|server)/' },
    },
    {
      name: 'nothing-imports-the-lab-worker', severity: 'error',
      from: { path: '^electron/', pathNot: '^electron/lab-worker/' }, to: { path: '^electron/lab-worker/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|release|test-results)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
