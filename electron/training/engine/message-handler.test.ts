import { describe, expect, it } from 'vitest';
import { FromWorker } from '../../worker-protocol/messages.js';
import { createMessageHandler } from './message-handler.js';
import { testDeps, testEnv, tinyConfig } from './test-support.js';

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
