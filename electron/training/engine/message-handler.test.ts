import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FACTS_FILE, ModelDescription } from '../../models/facts.js';
import { FromWorker } from '../../worker-protocol/messages.js';
import { createMessageHandler } from './message-handler.js';
import { realEngineDeps } from './parts.js';
import { resourcesDir, testDeps, testEnv, tinyConfig } from './testing/engine-fixtures.js';

describe('worker host', () => {
  it('needs init, runs one job at a time and answers requests', async () => {
    const sent: FromWorker[] = [];
    const host = createMessageHandler((m) => { sent.push(m); }, testDeps().deps);
    host.handle({ type: 'start', runId: 'early', config: tinyConfig() });
    expect(sent.at(-1)).toMatchObject({ type: 'failed', runId: 'early', error: expect.stringMatching(/not been initialised/) });

    host.handle('garbage');
    expect(sent.at(-1)).toMatchObject({ type: 'log', level: 'error', message: expect.stringMatching(/invalid message/) });

    host.handle({ type: 'init', env: testEnv() });
    expect(sent.at(-1)).toMatchObject({ type: 'ready', pid: process.pid });

    host.handle({ type: 'start', runId: 'a', config: tinyConfig({ epochs: 1 }) });
    host.handle({ type: 'start', runId: 'b', config: tinyConfig({ epochs: 1 }) });
    expect(sent.at(-1)).toMatchObject({ type: 'failed', runId: 'b', error: expect.stringMatching(/busy with run a/) });
    host.handle({ type: 'cancel', runId: 'zzz' });
    expect(sent.at(-1)).toMatchObject({ type: 'log', level: 'warn' });
    host.handle({ type: 'device', requestId: 7, refresh: false });
    await host.idle();
    await new Promise((r) => setTimeout(r, 50));
    expect(sent.find((m) => m.type === 'result')).toMatchObject({ runId: 'a' });
    expect(sent.find((m) => m.type === 'reply')).toMatchObject({ requestId: 7, ok: true });
    for (const m of sent) expect(FromWorker.safeParse(m).success).toBe(true);

    host.handle({ type: 'exportModel', requestId: 8, runId: 'missing', config: tinyConfig(), outDir: testEnv().dataDir });
    await host.idle();
    await new Promise((r) => setTimeout(r, 50));
    expect(sent.at(-1)).toMatchObject({ type: 'reply', requestId: 8, ok: false, error: expect.stringMatching(/has no saved model/) });
  }, 60_000);
});

describe('start messages', () => {
  it("pass the run's threads to the engine, and refuse a thread count that is not a positive integer", async () => {
    const sent: FromWorker[] = [];
    const host = createMessageHandler((m) => { sent.push(m); }, testDeps().deps);
    host.handle({ type: 'init', env: testEnv() });
    host.handle({ type: 'start', runId: 'bad', config: tinyConfig(), threads: 0 });
    expect(sent.at(-1)).toMatchObject({ type: 'log', level: 'error', message: expect.stringMatching(/threads/) });
    const config = tinyConfig({ strategy: 'fine-tuning', unfreezeBlocks: 1, twoPhase: false, headEpochs: 0, batchSize: 32, epochs: 1, dataset: { id: 'fashion-target', perClass: 20 } });
    host.handle({ type: 'threads', runId: 'two', threads: 0 });
    expect(sent.at(-1)).toMatchObject({ type: 'log', level: 'error', message: expect.stringMatching(/threads/) });
    host.handle({ type: 'start', runId: 'two', config, threads: 1, cores: 2 });
    // Its share grows while it runs (the run it shared the machine with ended).
    host.handle({ type: 'threads', runId: 'two', threads: 2 });
    await host.idle();
    await new Promise((r) => setTimeout(r, 50));
    const result = sent.find((m): m is Extract<FromWorker, { type: 'result' }> => m.type === 'result');
    expect(result?.result.notes.join(' ')).toMatch(/into 2 shards .*started on 2 threads/);
  }, 60_000);
});

describe('describeModel requests', () => {
  it('answer with the facts the real parts compute, which the shipped facts.json holds', async () => {
    const sent: FromWorker[] = [];
    const host = createMessageHandler((m) => { sent.push(m); }, realEngineDeps());
    host.handle({ type: 'describeModel', requestId: 1, id: 'tl-resnet-s' });
    host.handle({ type: 'init', env: testEnv() });
    host.handle({ type: 'describeModel', requestId: 2, id: 'tl-resnet-s' });
    host.handle({ type: 'describeModel', requestId: 3, id: 'no-such-model' });
    await host.idle();
    const reply = (id: number) => sent.find((m): m is Extract<FromWorker, { type: 'reply' }> => m.type === 'reply' && m.requestId === id)!;
    expect(reply(1)).toMatchObject({ ok: false, error: expect.stringMatching(/not been initialised/) });
    const shipped = JSON.parse(readFileSync(path.join(resourcesDir, 'models', 'tl-resnet-s', FACTS_FILE), 'utf8'));
    expect(ModelDescription.parse(reply(2).result)).toEqual({ usable: true, facts: shipped });
    expect(ModelDescription.parse(reply(3).result)).toEqual({ usable: false, reason: 'it is not shipped, downloaded or imported (no model.json found)' });
  }, 60_000);
});
