// The training worker as an Electron utility process (a Node process without the renderer's
// privileges). Its crash is detected through 'exit' and app's 'child-process-gone'.
import { app, utilityProcess } from 'electron';
import { WORKER_V8_FLAGS, type SpawnWorker } from '../services/training/worker-host.js';

export function utilityWorkerSpawner(entry: string): SpawnWorker {
  return ({ onMessage, onExit }) => {
    const child = utilityProcess.fork(entry, [], { serviceName: 'Transfer Lab training', stdio: 'inherit', execArgv: WORKER_V8_FLAGS });
    let goneReason: string | null = null;
    const onGone = (_e: unknown, details: { type: string; reason: string; exitCode: number; name?: string }) => {
      if (details.type === 'Utility' && details.name === 'Transfer Lab training') goneReason = `The training process ${details.reason} (exit code ${details.exitCode}).`;
    };
    app.on('child-process-gone', onGone);
    child.on('message', onMessage);
    child.on('exit', (code) => {
      app.off('child-process-gone', onGone);
      onExit(goneReason ?? `The training process exited unexpectedly (exit code ${code}).`);
    });
    return {
      send: (m) => child.postMessage(m),
      kill: () => { child.kill(); },
      get pid() { return child.pid; },
    };
  };
}
