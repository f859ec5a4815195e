// Starts a TypeScript worker thread from the sources (tests, the bench, `npm run` without a build):
// worker threads do not inherit the parent's --import tsx, so the thread registers tsx itself.
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

await tsImport(workerData.entry, import.meta.url);
