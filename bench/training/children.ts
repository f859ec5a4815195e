// Runs each engine workload in a child process of its own (a fresh backend, so its peak resident
// set is that workload's), one after another.
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WORKER_V8_FLAGS } from '../../electron/services/training/worker-host.js';
import type { EngineResult, Outcome, WorkloadSpec } from './spec.js';

const childEntry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'child.ts');
const STDERR_TAIL = 2000;

export function runInChild(spec: WorkloadSpec, timeoutMs = 10 * 60_000): Promise<Outcome<EngineResult>> {
  return new Promise((resolve) => {
    const child = fork(childEntry, [JSON.stringify(spec)], {
      // The flags the app starts its training processes with: the bench times the app's own path.
      execArgv: [...WORKER_V8_FLAGS, '--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced',
    });
    let stderr = '';
    let answer: Outcome<EngineResult> | null = null;
    child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-STDERR_TAIL); });
    child.on('message', (m) => { answer = m as Outcome<EngineResult>; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const finish = (why: string) => {
      clearTimeout(timer);
      resolve(answer ?? { ok: false, error: `${why}${stderr.trim() ? `; stderr: ${stderr.trim()}` : ''}` });
    };
    child.on('error', (e) => finish(`the bench child could not start: ${e.message}`));
    child.on('exit', (code, signal) => finish(signal ? `the bench child was killed (${signal}${signal === 'SIGKILL' ? `, after ${timeoutMs / 1000} s or out of memory` : ''})` : `the bench child exited with code ${code} before answering`));
  });
}
