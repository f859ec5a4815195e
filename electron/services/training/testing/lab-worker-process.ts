// Starts `npm run worker` as the lab's machines do (electron/lab-worker/cli.ts), for the lab tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(__dirname, '../../../..');

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<number | string>;
}

/** Resolves once the worker says it is taking jobs, or rejects with its output when it ends first. */
export function startWorkerProcess(redisUrl: string, name: string, env: Record<string, string> = {}): { process: WorkerProcess; ready: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'electron/lab-worker/cli.ts'), '--redis', redisUrl, '--concurrency', '1', '--backend', 'wasm',
    '--data-dir', mkdtempSync(join(tmpdir(), 'tl-labworker-')), '--name', name, '--lock-seconds', '3'], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | string>((r) => child.on('exit', (code, signal) => r(code ?? signal ?? -1)));
  const ready = new Promise<void>((resolveReady, reject) => {
    child.stdout!.on('data', () => out.includes(`lab worker on ${name}`) && resolveReady());
    void exited.then((code) => reject(new Error(`lab worker ${name} ended (${code}):\n${out}`)));
  });
  ready.catch(() => undefined); // a caller that expects the worker to end does not wait for it
  return { process: { child, output: () => out, exited }, ready };
}
