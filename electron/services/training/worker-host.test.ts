// The spawner starts a real process with the training processes' V8 flags (not only the first
// process the app starts: every one, the lab worker's too), and reports its exit.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { forkWorkerSpawner, WORKER_V8_FLAGS } from './worker-host.js';

describe('forkWorkerSpawner', () => {
  it('starts the entry with the training V8 flags and reports how it exited', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tl-worker-host-'));
    const entry = path.join(dir, 'entry.cjs');
    writeFileSync(entry, "process.send({ execArgv: process.execArgv }, () => process.exit(3));\n");
    const got = await new Promise<{ message: unknown; exit: string }>((resolve) => {
      let message: unknown = null;
      forkWorkerSpawner(entry)({ onMessage: (m) => { message = m; }, onExit: (exit) => resolve({ message, exit }) });
    });
    expect(WORKER_V8_FLAGS.length).toBeGreaterThan(0);
    expect((got.message as { execArgv: string[] }).execArgv).toEqual(WORKER_V8_FLAGS);
    expect(got.exit).toMatch(/exit code 3/);
  }, 30_000);
});
