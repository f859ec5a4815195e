// Where a shell's window worker comes from, for the window GPU rung: a hidden window the desktop
// app starts on first use (electron/main/window-worker.ts), or the one browser tab that opted in
// (its Web Worker connected to the server's /window-worker socket).
import type { WindowGpuState } from '../../contract/index.js';
import type { ToWindow, WindowLink } from '../../worker-protocol/window.js';

/** Where a shell's window worker comes from. */
export interface WindowGpuSource {
  state(): WindowGpuState;
  /** Who trains there, for the queue panel ("this computer", "the teacher's tab"). */
  readonly machine: string;
  /** Whether connect() starts a window when none is connected (desktop), or only finds one (a tab must opt in). */
  readonly startsOnDemand: boolean;
  /** A link to a connected window, starting one where the shell can (desktop); null when there is none. */
  connect(): Promise<WindowLink<ToWindow> | null>;
}

/** What a job that asks for the window rung is told when no window is connected (it fails; the queue goes on). */
export const noWindowMessage = (source: WindowGpuSource) =>
  `No window is training on this computer's GPU, so this run could not start (it does not move to another backend). ${source.state().reason}`;

/** Browser mode: the one tab whose Web Worker is connected; a second one is refused. */
export class TabWindowSlot implements WindowGpuSource {
  readonly machine = "the tab's GPU";
  readonly startsOnDemand = false;
  private link: WindowLink<ToWindow> | null = null;
  private lastClosed: string | null = null;

  constructor(private changed: () => void = () => {}) {}

  /** Takes a newly connected tab's link, or answers why not (one tab at a time). */
  attach(link: WindowLink<ToWindow>): string | null {
    if (this.link) return "Another tab is already training on its computer's GPU: close it there first (one tab trains at a time).";
    this.link = link;
    link.onClose((reason) => {
      if (this.link !== link) return;
      this.link = null;
      this.lastClosed = reason;
      this.changed();
    });
    this.changed();
    return null;
  }

  state(): WindowGpuState {
    if (this.link) return { offered: true, connected: true, gpuName: null, reason: "A tab trains on its computer's GPU (WebGPU or WebGL in its browser)." };
    return {
      offered: true, connected: false, gpuName: null,
      reason: `No tab trains on its GPU: choose "Train on this computer's GPU" in the Device panel of a tab whose browser has WebGPU or WebGL2, and keep that tab open.${this.lastClosed ? ` The last one ended: ${this.lastClosed}` : ''}`,
    };
  }

  async connect() {
    return this.link;
  }
}

