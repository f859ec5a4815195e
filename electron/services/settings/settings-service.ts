// Settings, including the student / class-session identity that every new run carries.
import type { Handlers, Settings } from '../../contract/index.js';
import { Settings as SettingsSchema } from '../../contract/index.js';
import type { Db } from '../store/database.js';

const defaults: Settings = { studentName: '', classSession: '', theme: 'system', backend: 'auto', trainingWorkers: 'auto' };

export class SettingsStore {
  constructor(private db: Db) {}

  get(): Settings {
    const rows = this.db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
    const settings: Record<string, unknown> = { ...defaults };
    // Value by value: one written by another version that no longer validates (a newer theme, say)
    // falls back to its own default and leaves the others, like the student's name, as stored.
    for (const { key, value } of rows) {
      if (!Object.hasOwn(SettingsSchema.shape, key)) continue;
      const parsed = SettingsSchema.shape[key as keyof Settings].safeParse(parseJson(value));
      if (parsed.success) settings[key] = parsed.data;
    }
    return settings as Settings;
  }

  set(patch: Partial<Settings>): Settings {
    const put = this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    this.db.transaction(() => {
      for (const [key, value] of Object.entries(patch)) if (value !== undefined) put.run(key, JSON.stringify(value));
    })();
    return this.get();
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function createSettingsService(store: SettingsStore): Pick<Handlers, 'settings.get' | 'settings.set'> {
  return {
    'settings.get': async () => store.get(),
    'settings.set': async (patch) => store.set(patch),
  };
}
