import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../services/store/database.js';
import { overwriteHeader, writeDatabaseWithRows } from '../services/store/testing/damaged-files.js';

// Electron does not run on every machine: its dialog and shell are stand-ins that record calls.
const h = vi.hoisted(() => ({ response: 0 }));
vi.mock('electron', () => ({
  dialog: { showErrorBox: vi.fn(), showMessageBoxSync: vi.fn(() => h.response) },
  shell: { showItemInFolder: vi.fn() },
}));
const { dialog, shell } = await import('electron');
const { showStartupError } = await import('./startup-error.js');

/** The error a real damaged database file gives. */
function damagedDatabaseError(): { file: string; error: unknown } {
  const file = join(mkdtempSync(join(tmpdir(), 'tl-start-')), 'transfer-lab.sqlite');
  writeDatabaseWithRows(file, 100);
  overwriteHeader(file);
  try {
    openDatabase(file).close();
  } catch (error) {
    return { file, error };
  }
  throw new Error('the damaged file opened');
}

beforeEach(() => vi.clearAllMocks());

describe('startup error dialog', () => {
  it('shows why the database cannot be opened, and the file on request', () => {
    const { file, error } = damagedDatabaseError();
    h.response = 1;
    showStartupError(error);
    const [options] = vi.mocked(dialog.showMessageBoxSync).mock.calls[0] as unknown as [Electron.MessageBoxSyncOptions];
    expect(options).toMatchObject({ type: 'error', message: 'Transfer Lab cannot open its database', buttons: ['Quit', 'Show the file'] });
    expect(options.detail).toContain(`Transfer Lab cannot open its database ${file}: the file does not start with a SQLite header`);
    expect(shell.showItemInFolder).toHaveBeenCalledWith(file);
  });

  it('quits without showing anything more when Quit is chosen', () => {
    h.response = 0;
    showStartupError(damagedDatabaseError().error);
    expect(shell.showItemInFolder).not.toHaveBeenCalled();
  });

  it('shows any other start-up error as it is', () => {
    showStartupError(new Error('The port is taken.'));
    expect(dialog.showErrorBox).toHaveBeenCalledWith('Transfer Lab cannot start', 'The port is taken.');
    expect(dialog.showMessageBoxSync).not.toHaveBeenCalled();
  });
});
