// Who this tab is in the lab: the teacher (the desktop app, the teacher's link) or a student of the
// class link. A student's browser claims its name once; at every start the claim is confirmed, so a
// name the teacher freed, or a server that no longer knows it, sends the student back to the form.
import type { LabMe } from '../../../electron/contract/index.js';
import { api, errorMessage } from '../../lib/api.js';

class LabState {
  me = $state<LabMe | null>(null);
  needsName = $state(false);
  error = $state<string | null>(null);

  get isStudent() {
    return this.me?.role === 'student' || api.isClassLink;
  }

  /** Resolves once the tab knows who it is (or needs a name). */
  async start(): Promise<void> {
    this.needsName = api.needsName;
    if (this.needsName) return;
    if (api.isClassLink) {
      const stored = await this.confirmStored();
      if (!stored) return;
    }
    try {
      this.me = await api.call('lab.me', {});
    } catch (e) {
      this.error = errorMessage(e);
    }
  }

  private async confirmStored(): Promise<boolean> {
    try {
      await api.claimName(readStoredName() ?? '');
      return true;
    } catch (e) {
      api.forgetName();
      this.needsName = true;
      this.error = errorMessage(e);
      return false;
    }
  }

  async claim(name: string): Promise<void> {
    await api.claimName(name);
    this.needsName = false;
    this.error = null;
    this.me = await api.call('lab.me', {});
  }

  forget() {
    api.forgetName();
    this.me = null;
    this.needsName = true;
  }
}

function readStoredName(): string | null {
  try {
    return JSON.parse(localStorage.getItem('tl-student') ?? 'null')?.name ?? null;
  } catch {
    return null;
  }
}

export const lab = new LabState();
