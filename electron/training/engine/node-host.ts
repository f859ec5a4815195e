// The engine's host services in the worker process: the embedding cache as files under the data
// folder, saving a run's model where the run's files live (both shared with the services, which do
// the same for a window: electron/files/), the process's memory and id, exporting a model, and
// the helper threads of data-parallel runs and of the embedding pass.
import { createHash } from 'node:crypto';
import { embeddingFileStore } from '../../files/embedding-files.js';
import { saveRunModelFiles } from '../../files/run-model-files.js';
import type { EngineHost } from './deps.js';
import { exportRunModel } from './node-export-model.js';
import { useNativeHash } from './hash.js';
import { nodeBaseThreads, nodeShardThreads } from '../shards/thread-links.js';

export function nodeEngineHost(): EngineHost {
  // The same digests as the engine's JavaScript hashes (hash.test.ts), in native code.
  useNativeHash((algorithm) => createHash(algorithm));
  return {
    embeddingStore: (env) => embeddingFileStore(env.dataDir),
    saveRunModel: (runId, modelJson, weightData, valPredictions, env) => saveRunModelFiles(env.dataDir, runId, modelJson, weightData, valPredictions),
    rssBytes: () => process.memoryUsage.rss(),
    pid: process.pid,
    exportRunModel,
    shardThreads: nodeShardThreads,
    baseThreads: nodeBaseThreads,
  };
}
