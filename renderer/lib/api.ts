// The renderer's one client for the contract. In Electron it talks through the preload object
// (window.transferLab); in browser mode through a WebSocket that carries the per-launch token.
import type { EventName, EventPayload, MethodName, Params, Result, WireError, WireResponse } from '../../electron/contract/index.js';

export interface PreloadBridge {
  invoke(method: string, params: unknown): Promise<WireResponse>;
  on(event: string, listener: (payload: unknown) => void): () => void;
}
declare global {
  interface Window { transferLab?: PreloadBridge }
}

export class ApiError extends Error {
  constructor(readonly code: WireError['code'], message: string, readonly field?: string) {
    super(message);
  }
}

type Listener = (payload: unknown) => void;

interface Transport {
  invoke(method: string, params: unknown): Promise<WireResponse>;
  on(event: string, listener: Listener): () => void;
}

/** Browser mode: one socket, requests matched to responses by id, events fanned out to listeners. */
class SocketTransport implements Transport {
  private socket: Promise<WebSocket> | null = null;
  private nextId = 1;
  private pending = new Map<number, (r: WireResponse) => void>();
  private listeners = new Map<string, Set<Listener>>();
  constructor(private url: string) {}

  private connect(): Promise<WebSocket> {
    if (this.socket) return this.socket;
    this.socket = new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url);
      ws.onopen = () => resolve(ws);
      ws.onerror = () => reject(new ApiError('failed', 'Cannot reach the Transfer Lab server. Is it still running? If it was restarted, open the new URL it printed.'));
      ws.onclose = () => {
        this.socket = null;
        for (const [id, done] of this.pending) done({ id, ok: false, error: { code: 'failed', message: 'The connection to the Transfer Lab server was lost.' } });
        this.pending.clear();
      };
      ws.onmessage = (m) => this.receive(String(m.data));
    });
    return this.socket;
  }

  private receive(text: string) {
    const msg = JSON.parse(text);
    if (typeof msg.event === 'string') this.listeners.get(msg.event)?.forEach((l) => l(msg.payload));
    else if (typeof msg.id === 'number') {
      this.pending.get(msg.id)?.(msg as WireResponse);
      this.pending.delete(msg.id);
    }
  }

  async invoke(method: string, params: unknown): Promise<WireResponse> {
    const ws = await this.connect();
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  }

  on(event: string, listener: Listener) {
    void this.connect().catch(() => undefined);
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(listener);
    return () => this.listeners.get(event)?.delete(listener);
  }
}

/** Answers every call with one clear error, for a tab that cannot reach the server at all. */
class FailedTransport implements Transport {
  constructor(private message: string) {}
  async invoke(): Promise<WireResponse> {
    return { id: 0, ok: false, error: { code: 'failed', message: this.message } };
  }
  on() {
    return () => undefined;
  }
}

const tokenKey = 'tl-token';

/**
 * The launch URL's token. The server opens the socket only with the token itself (never with the
 * page's cookie, which other local servers receive too), so the tab keeps it in session storage
 * and takes it out of the address bar, away from history and a projected screen; a reload still works.
 */
function browserToken(): string | null {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  try {
    if (!fromUrl) return sessionStorage.getItem(tokenKey);
    sessionStorage.setItem(tokenKey, fromUrl);
  } catch {
    return fromUrl; // storage blocked: the token stays in the address bar, so a reload still works
  }
  url.searchParams.delete('token');
  history.replaceState(history.state, '', url);
  return fromUrl;
}

function createTransport(): Transport {
  if (typeof window !== 'undefined' && window.transferLab) return window.transferLab;
  const token = browserToken();
  if (!token) return new FailedTransport('This tab has no access token: open the exact URL printed by `npm run serve` (it carries the token).');
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return new SocketTransport(`${proto}//${location.host}/ws?token=${encodeURIComponent(token)}`);
}

let transport: Transport | null = null;
const getTransport = () => (transport ??= createTransport());

export const api = {
  async call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    const response = await getTransport().invoke(method, params);
    if (!response.ok) throw new ApiError(response.error.code, response.error.message, response.error.field);
    return response.result as Result<M>;
  },
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    return getTransport().on(event, listener as Listener);
  },
  /** True in the desktop app, false in browser mode (e.g. no native folder picker there). */
  get isDesktop() {
    return typeof window !== 'undefined' && !!window.transferLab;
  },
};

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
