// The embedding pass on helper threads (real worker threads with a copy of the frozen base each)
// against the same pass on this thread: the very same features, whoever embedded which batch.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeEmbeddings } from '../engine/embeddings.js';
import type { EmbedLink } from '../engine/embed-link.js';
import { EmbedHelpers, embedHelpers } from '../engine/embedding-threads.js';
import { realEngineDeps } from '../engine/parts.js';
import { freshBackbone, testEnv } from '../engine/testing/engine-fixtures.js';
import { initWasmBackend } from '../kernels/wasm-setup.js';
import type { LoadedData } from '../types.js';
import { nodeBaseThreads } from './thread-links.js';

let data: LoadedData;
let backbone: ReturnType<typeof freshBackbone>;

beforeAll(async () => {
  await initWasmBackend();
  backbone = freshBackbone(3);
  data = await realEngineDeps().dataSource(testEnv()).load({ id: 'fashion-target', perClass: null }, { targetShape: backbone.inputShape, seed: 1 });
});

/** Threads started now (not in the background), so the test knows they take part from the first batch. */
async function helpersWith(links: EmbedLink[]): Promise<EmbedHelpers> {
  const h = new EmbedHelpers(async () => links, { now: links.length + 1 });
  h.startNow();
  await Promise.resolve();
  return h;
}

const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

describe('the embedding pass on threads', () => {
  it('gives the very features of one thread, with a thread embedding every other batch', async () => {
    const alone = await computeEmbeddings(backbone, data, { batchSize: 32 });
    const helpers = await helpersWith(await nodeBaseThreads(1, backbone.model!.toJSON(null, false) as unknown as Record<string, unknown>, backbone.model!.weights.map((w) => w.read().dataSync() as Float32Array)));
    try {
      const threaded = await computeEmbeddings(backbone, data, { batchSize: 32, helpers });
      expect(helpers.used.size).toBe(1);
      expect(threaded.count).toBe(alone.count);
      expect(bits(threaded.features)).toBe(bits(alone.features));
    } finally {
      helpers.close();
    }
  }, 60_000);

  it('embeds here the batches of a thread that fails, and gives that thread no more', async () => {
    const alone = await computeEmbeddings(backbone, data, { batchSize: 32 });
    let asked = 0;
    const broken: EmbedLink = { embed: async () => { asked++; throw new Error('thread gone'); }, close: () => {} };
    const helpers = await helpersWith([broken]);
    const threaded = await computeEmbeddings(backbone, data, { batchSize: 32, helpers });
    // The two batches it held (two in flight) are embedded here; it is given no third.
    expect(asked).toBe(2);
    expect(helpers.ready()).toEqual([]);
    expect(bits(threaded.features)).toBe(bits(alone.features));
  }, 60_000);

  it('starts threads only once the pass left pays for them, and never for a graph base, another backend or a run on one thread', () => {
    let started = 0;
    const threads = async () => { started++; return []; };
    const long = (h: EmbedHelpers) => { h.expect(10_000); h.embedded(100, 1); };
    const short = embedHelpers(backbone.model, threads, { now: 2 }, 'wasm');
    short.expect(300);
    short.embedded(128, 0.05);
    long(embedHelpers(null, threads, { now: 2 }, 'wasm'));
    long(embedHelpers(backbone.model, threads, { now: 2 }, 'cpu'));
    long(embedHelpers(backbone.model, threads, { now: 1 }, 'wasm'));
    expect(started).toBe(0);
    long(embedHelpers(backbone.model, threads, { now: 2 }, 'wasm'));
    expect(started).toBe(1);
    expect(tf.getBackend()).toBe('wasm');
  });
});
