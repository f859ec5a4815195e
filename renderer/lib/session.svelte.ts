// App-wide state loaded once: app info and settings (student name, class session, theme, backend).
import type { Result, Settings } from '../../electron/contract/index.js';
import { api, errorMessage } from './api.js';

class Session {
  info = $state<Result<'app.info'> | null>(null);
  settings = $state<Settings | null>(null);
  error = $state<string | null>(null);

  async load() {
    try {
      [this.info, this.settings] = await Promise.all([api.call('app.info', {}), api.call('settings.get', {})]);
      this.error = null;
    } catch (e) {
      this.error = errorMessage(e);
    }
  }

  async update(patch: Partial<Settings>) {
    this.settings = await api.call('settings.set', patch);
  }
}

export const session = new Session();
