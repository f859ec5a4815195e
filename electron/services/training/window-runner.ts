// The job runner of the window GPU rung: the local pool's runner with one slot whose WorkerHost is
// built over the window instead of a process, so cancel, late messages and a death mid-run (window
// crashed, GPU context lost, tab closed) behave exactly as for a worker process: the job fails with
// the reason and the queue goes on. A job that asks for the window while none is connected fails at
// once with noWindowMessage (it does not move to another rung).
import { DeviceReport, type RungReport } from '../../contract/index.js';
import type { WorkerEnv } from '../../worker-protocol/messages.js';
import type { ToWindow, WindowLink } from '../../worker-protocol/window.js';
import { LocalPoolRunner } from './local-runner.js';
import type { Job, JobReport, JobRunner } from './training-queue.js';
import { windowSpawner } from './window-host.js';
import { noWindowMessage, type WindowGpuSource } from './window-source.js';
import { WorkerHost } from './worker-host.js';

/** One slot over the window: connects (or starts) the window when a job arrives, then runs it there. */
export class WindowRunner implements JobRunner {
  private link: WindowLink<ToWindow> | null = null;
  private gpu: string | null = null;
  readonly host: WorkerHost;
  private inner: LocalPoolRunner;

  constructor(private source: WindowGpuSource, env: () => WorkerEnv, log: (msg: string) => void = () => {}) {
    // The window only ever trains on its own rung, whatever the Settings' default is.
    const windowEnv = (): WorkerEnv => ({ ...env(), backend: 'window-gpu' });
    this.host = new WorkerHost(
      (callbacks) => {
        if (!this.link) throw new Error(noWindowMessage(this.source));
        return windowSpawner(this.link, windowEnv(), log)(callbacks);
      },
      windowEnv,
      (m) => {
        if (m.type === 'started') this.gpu = m.device;
        this.inner.onWorkerMessage(0, m);
      },
      (reason) => {
        log(`the GPU window stopped: ${reason}`);
        this.inner.onWorkerDied(0, reason);
      },
      log,
    );
    this.inner = new LocalPoolRunner({ size: () => 1, host: () => this.host }, source.machine);
  }

  capacity() { return 1; }
  workers() { return this.source.state().connected ? 1 : 0; }

  async start(job: Job, report: JobReport): Promise<void> {
    if (!(await this.useLink())) throw new Error(noWindowMessage(this.source));
    await this.inner.start(job, report);
  }

  /** Points the host at the source's current window; false when there is none. */
  private async useLink(): Promise<boolean> {
    const link = await this.source.connect();
    if (!link) return false;
    if (link !== this.link) {
      // A new window (the last one went away): the host starts over on it.
      this.host.stop();
      this.link = link;
      this.gpu = null;
    }
    return true;
  }

  cancel(runId: string) { this.inner.cancel(runId); }

  /**
   * The rung as the device panel shows it. A connected window is asked for its own report (its GPU
   * by name); one not started yet is described from what the shell knows, and nothing is started.
   */
  async rungReport(refresh: boolean): Promise<RungReport> {
    const state = this.source.state();
    if (!state.connected) {
      // Desktop: offered (Chromium reports a GPU) and started on the first job that asks for it;
      // browser mode: unavailable until a tab opts in.
      return { rung: 'window-gpu', available: state.offered && this.source.startsOnDemand, reason: state.reason, ...(state.gpuName ? { gpuName: state.gpuName } : {}) };
    }
    try {
      if (!(await this.useLink())) throw new Error(noWindowMessage(this.source));
      const own = await this.host.request(DeviceReport, (requestId) => ({ type: 'device', requestId, refresh }), 60_000);
      const rung = own.rungs.find((r) => r.rung === 'window-gpu');
      if (rung) {
        this.gpu = rung.gpuName ?? rung.device ?? null;
        return rung;
      }
    } catch (e) {
      return { rung: 'window-gpu', available: false, reason: `The window could not report its GPU: ${e instanceof Error ? e.message : String(e)}` };
    }
    return { rung: 'window-gpu', available: true, reason: state.reason, ...(this.gpu ? { gpuName: this.gpu } : {}) };
  }

  /** What the window trains on, once it said (its device report or its last run's 'started'). */
  gpuName() { return this.gpu; }

  stop() { this.host.stop(); }
}
