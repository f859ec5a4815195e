// The security checklist for every window: deny all permission requests, a strict CSP header,
// no navigation away from the app, no new windows, and external links only for http(s) after the
// user confirms.
import { app, dialog, session, shell, type WebContents } from 'electron';

import { CSP } from '../security/content-security-policy.js';


export function isAppUrl(url: string, appEntry: string): boolean {
  try {
    const u = new URL(url);
    const entry = new URL(appEntry);
    return u.protocol === entry.protocol && u.pathname === entry.pathname;
  } catch {
    return false;
  }
}

export async function confirmAndOpenExternal(url: string): Promise<boolean> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
  const { response } = await dialog.showMessageBox({
    type: 'question',
    buttons: ['Open in browser', 'Cancel'],
    defaultId: 1,
    cancelId: 1,
    message: 'Open this link in your web browser?',
    detail: parsed.toString(),
  });
  if (response !== 0) return false;
  await shell.openExternal(parsed.toString());
  return true;
}

export function setupSecurity(appEntry: () => string) {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });

  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url, appEntry())) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      void confirmAndOpenExternal(url);
      return { action: 'deny' };
    });
  });
}
