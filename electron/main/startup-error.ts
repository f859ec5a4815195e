// What the desktop app shows when it cannot start: the reason in a dialog instead of a blank
// window, and for a database it cannot open, a button that shows the file so it can be moved aside.
import { dialog, shell } from 'electron';
import { existsSync } from 'node:fs';
import { DatabaseOpenError } from '../services/store/database.js';

export function showStartupError(e: unknown): void {
  const detail = e instanceof Error ? e.message : String(e);
  if (!(e instanceof DatabaseOpenError) || !existsSync(e.file)) {
    dialog.showErrorBox('Transfer Lab cannot start', detail);
    return;
  }
  const choice = dialog.showMessageBoxSync({
    type: 'error',
    title: 'Transfer Lab cannot start',
    message: 'Transfer Lab cannot open its database',
    detail,
    buttons: ['Quit', 'Show the file'],
    defaultId: 0,
    cancelId: 0,
    noLink: true,
  });
  if (choice === 1) shell.showItemInFolder(e.file);
}
