import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../store/database.js';
import { SettingsStore } from './settings-service.js';

const open: Db[] = [];
function freshStore() {
  const db = openDatabase(':memory:');
  open.push(db);
  return { db, store: new SettingsStore(db) };
}
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

/** Writes a raw stored value, as another version of the app (or a damaged row) would. */
const putRaw = (db: Db, key: string, value: string) => db.prepare('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)').run(key, value);

describe('settings', () => {
  it('starts from the defaults and keeps what is set', () => {
    const { store } = freshStore();
    expect(store.get()).toEqual({ studentName: '', classSession: '', theme: 'system', backend: 'auto', trainingWorkers: 'auto' });
    expect(store.set({ studentName: 'Ada', theme: 'dark' })).toEqual({ studentName: 'Ada', classSession: '', theme: 'dark', backend: 'auto', trainingWorkers: 'auto' });
  });

  it('a theme from a newer version falls back to its default and keeps the student\'s name', () => {
    const { db, store } = freshStore();
    store.set({ studentName: 'Ada', classSession: 'ML-101', backend: 'wasm' });
    putRaw(db, 'theme', JSON.stringify('high-contrast'));
    expect(store.get()).toEqual({ studentName: 'Ada', classSession: 'ML-101', theme: 'system', backend: 'wasm', trainingWorkers: 'auto' });
  });

  it('falls back value by value: an unreadable row, a wrong type and an unknown key touch nothing else', () => {
    const { db, store } = freshStore();
    store.set({ studentName: 'Ada', theme: 'dark' });
    putRaw(db, 'classSession', '{not json');
    putRaw(db, 'backend', '42');
    putRaw(db, 'fontSize', '14');
    putRaw(db, 'toString', '1');
    expect(store.get()).toEqual({ studentName: 'Ada', classSession: '', theme: 'dark', backend: 'auto', trainingWorkers: 'auto' });
  });
});
