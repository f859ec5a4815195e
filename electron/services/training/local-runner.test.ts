// How the local pool shares the machine's cores between the runs it starts: every job the queue
// hands over in one go counts, so a pair splits the cores and a lone run gets them all; when one
// ends or starts, the others are told their new share.
import { describe, expect, it } from 'vitest';
import type { ToWorker } from '../../worker-protocol/messages.js';
import { defaultConfig } from '../../contract/budget.js';
import { LocalPoolRunner } from './local-runner.js';
import type { JobReport } from './training-queue.js';
import type { WorkerHost } from './worker-host.js';

function pool(size: number, cores: number) {
  const sent: ToWorker[][] = Array.from({ length: size }, () => []);
  const hosts = sent.map((box) => ({ send: async (m: ToWorker) => { box.push(m); } }) as unknown as WorkerHost);
  return { sent, runner: new LocalPoolRunner({ size: () => size, host: (slot) => hosts[slot], cores: () => cores, freeBytes: () => 64 * 1024 ** 3 }, 'here') };
}

const report: JobReport = { message: () => {}, running: () => {}, requeued: () => {}, died: () => {} };
const job = (runId: string) => ({ runId, config: defaultConfig('fine-tuning', 1000) });
const threadsOf = (m: ToWorker | undefined) => (m?.type === 'start' ? m.threads : undefined);
const coresOf = (m: ToWorker | undefined) => (m?.type === 'start' ? m.cores : undefined);

describe('LocalPoolRunner threads per run', () => {
  it('gives a lone run every core', async () => {
    const { sent, runner } = pool(2, 4);
    await runner.start(job('a'), report);
    expect(threadsOf(sent[0][0])).toBe(4);
  });

  it('splits the cores between the runs handed over together (a pair)', async () => {
    const { sent, runner } = pool(2, 4);
    await Promise.all([runner.start(job('a'), report), runner.start(job('b'), report)]);
    expect([threadsOf(sent[0][0]), threadsOf(sent[1][0])]).toEqual([2, 2]);
    // The machine's cores go with every run: they, not the threads, fix a batch's shards.
    expect([coresOf(sent[0][0]), coresOf(sent[1][0])]).toEqual([4, 4]);
  });

  it('never gives fewer than one thread', async () => {
    const { sent, runner } = pool(3, 2);
    await Promise.all(['a', 'b', 'c'].map((id) => runner.start(job(id), report)));
    expect(sent.map((s) => threadsOf(s[0]))).toEqual([1, 1, 1]);
  });

  it('gives the cores back to the runs still training when one ends, and takes some when one starts', async () => {
    const { sent, runner } = pool(2, 4);
    await runner.start(job('a'), report);
    expect(threadsOf(sent[0][0])).toBe(4);
    await runner.start(job('b'), report);
    expect(threadsOf(sent[1][0])).toBe(2);
    expect(sent[0].at(-1)).toEqual({ type: 'threads', runId: 'a', threads: 2 });
    runner.onWorkerMessage(1, { type: 'cancelled', runId: 'b' });
    expect(sent[0].at(-1)).toEqual({ type: 'threads', runId: 'a', threads: 4 });
    expect(sent[1].filter((m) => m.type === 'threads')).toEqual([]);
  });
});
