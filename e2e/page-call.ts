// One contract call over a socket the page opens itself (the token is the launch URL's): what a
// spec or a bench uses to drive the server the way the app does, without clicking through forms.
import type { Page } from '@playwright/test';

export async function pageCall<T = any>(page: Page, token: string, method: string, params: unknown): Promise<T> {
  return page.evaluate(async ({ token, method, params }) => {
    // `via=spec` (ignored by the server) tells a spec's event recorder this socket is not the app's.
    const ws = new WebSocket(`ws://${location.host}/ws?token=${encodeURIComponent(token)}&via=spec`);
    await new Promise((r, e) => ((ws.onopen = r), (ws.onerror = e)));
    const reply = await new Promise<{ ok: boolean; result?: unknown; error?: { message: string } }>((r) => {
      ws.onmessage = (m) => { const msg = JSON.parse(String(m.data)); if (msg.id === 1) r(msg); };
      ws.send(JSON.stringify({ id: 1, method, params }));
    });
    ws.close();
    if (!reply.ok) throw new Error(reply.error?.message);
    return reply.result;
  }, { token, method, params }) as Promise<T>;
}
