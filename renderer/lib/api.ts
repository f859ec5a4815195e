// The renderer's one client for the contract. In Electron it talks through the preload object
// (window.transferLab); in browser mode through a WebSocket that carries the per-launch token (the
// teacher's link) or the class token with this browser's claimed name and secret (the class link).
import type { EventName, EventPayload, MethodName, Params, Result, SkippedFile, WireError, WireResponse } from '../../electron/contract/index.js';

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
const classKey = 'tl-class';
const studentKey = 'tl-student';

/**
 * The launch URL's token (`param` token: the teacher; class: the class link). The server opens the
 * socket only with the credentials themselves (never with the page's cookie, which other local
 * servers receive too), so the tab keeps them in session storage and takes them out of the address
 * bar, away from history and a projected screen; a reload still works.
 */
function launchSecret(param: 'token' | 'class', key: string): string | null {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get(param);
  try {
    if (!fromUrl) return sessionStorage.getItem(key);
    sessionStorage.setItem(key, fromUrl);
  } catch {
    return fromUrl; // storage blocked: the token stays in the address bar, so a reload still works
  }
  url.searchParams.delete(param);
  history.replaceState(history.state, '', url);
  return fromUrl;
}

/** This browser's claimed name in the class and the secret that proves it (kept across reloads and restarts). */
interface StudentKey { name: string; secret: string }
function storedStudent(): StudentKey | null {
  try {
    const v = JSON.parse(localStorage.getItem(studentKey) ?? 'null');
    return v && typeof v.name === 'string' && typeof v.secret === 'string' ? v : null;
  } catch {
    return null;
  }
}

/** How this tab reaches the app: the desktop bridge, the teacher's token, the class link, or nothing. */
type Access =
  | { kind: 'desktop' }
  | { kind: 'teacher'; token: string }
  | { kind: 'class'; classToken: string; student: StudentKey | null }
  | { kind: 'none' };

let access: Access | null = null;
function getAccess(): Access {
  if (access) return access;
  if (typeof window !== 'undefined' && window.transferLab) return (access = { kind: 'desktop' });
  const token = launchSecret('token', tokenKey);
  if (token) return (access = { kind: 'teacher', token });
  const classToken = launchSecret('class', classKey);
  if (classToken) return (access = { kind: 'class', classToken, student: storedStudent() });
  return (access = { kind: 'none' });
}

function credentialQuery(a: Access): string | null {
  if (a.kind === 'teacher') return `token=${encodeURIComponent(a.token)}`;
  if (a.kind === 'class' && a.student) return `class=${encodeURIComponent(a.classToken)}&student=${encodeURIComponent(a.student.name)}&secret=${encodeURIComponent(a.student.secret)}`;
  return null;
}

function createTransport(): Transport {
  const a = getAccess();
  if (a.kind === 'desktop') return window.transferLab!;
  if (a.kind === 'class' && !a.student) return new FailedTransport('Type your name first: the class link asks who you are once.');
  const query = credentialQuery(a);
  if (!query) return new FailedTransport('This tab has no access token: open the exact URL printed by `npm run serve` (it carries the token).');
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return new SocketTransport(`${proto}//${location.host}/ws?${query}`);
}

let transport: Transport | null = null;
const getTransport = () => (transport ??= createTransport());

function credentialHeaders(a: Access): Record<string, string> {
  if (a.kind === 'teacher') return { 'X-TL-Token': a.token };
  if (a.kind === 'class') return { 'X-TL-Class': a.classToken, ...(a.student ? { 'X-TL-Student': encodeURIComponent(a.student.name), 'X-TL-Secret': a.student.secret } : {}) };
  return {};
}

const randomSecret = () => {
  const bytes = new Uint8Array(24);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
};

export interface UploadFile { path: string; file: Blob }
export interface UploadOutcome { path: string; name: string; files: number; skipped: SkippedFile[] }

/** One upload body: per file [u32 path length][path][u32 size][bytes] (electron/server/upload.ts). */
function uploadBody(files: UploadFile[]): Blob {
  const enc = new TextEncoder();
  const u32 = (n: number) => {
    const b = new ArrayBuffer(4);
    new DataView(b).setUint32(0, n);
    return b;
  };
  const parts: BlobPart[] = [];
  for (const f of files) {
    const path = enc.encode(f.path);
    parts.push(u32(path.length), path, u32(f.file.size), f.file);
  }
  return new Blob(parts);
}

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
  /** Opened from the class link without a name yet: the page asks for one before anything else. */
  get needsName() {
    const a = getAccess();
    return a.kind === 'class' && !a.student;
  },
  /**
   * The socket a browser tab's GPU worker connects to, with the teacher's token; null where a tab
   * cannot train for the queue (the desktop app has its own hidden window; students never do).
   */
  windowWorkerSocketUrl(): string | null {
    const a = getAccess();
    if (a.kind !== 'teacher') return null;
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${proto}//${location.host}/window-worker?token=${encodeURIComponent(a.token)}`;
  },
  /** Opened from the class link (a student), whatever the name. */
  get isClassLink() {
    return getAccess().kind === 'class';
  },

  /** Claims `name` in the class for this browser; the server binds it to this browser's secret. */
  async claimName(name: string): Promise<string> {
    const a = getAccess();
    if (a.kind !== 'class') throw new ApiError('forbidden', 'Only the class link asks for a name.');
    const secret = a.student?.secret ?? storedStudent()?.secret ?? randomSecret();
    const res = await fetch('/lab/claim', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-TL-Class': a.classToken },
      body: JSON.stringify({ name, secret }),
    }).catch(() => null);
    if (!res) throw new ApiError('failed', 'Cannot reach the Transfer Lab server. Is it still running?');
    const body = await res.json().catch(() => ({ error: `The server answered ${res.status}.` }));
    if (!res.ok) throw new ApiError(res.status === 409 ? 'forbidden' : 'failed', body.error ?? `The server answered ${res.status}.`);
    const student = { name: String(body.student), secret };
    try {
      localStorage.setItem(studentKey, JSON.stringify(student));
    } catch {
      /* storage blocked: the name lasts as long as this page */
    }
    access = { ...a, student };
    transport = null;
    return student.name;
  },

  /** Forgets this browser's name (another student at this machine); the page asks again. */
  forgetName() {
    try {
      localStorage.removeItem(studentKey);
    } catch {
      /* nothing stored */
    }
    const a = getAccess();
    if (a.kind === 'class') access = { ...a, student: null };
    transport = null;
  },

  /** Uploads a folder (browser mode) to the server's data folder; resolves with where it landed. */
  upload(name: string, files: UploadFile[], onProgress?: (sent: number, total: number) => void): Promise<UploadOutcome> {
    const headers = credentialHeaders(getAccess());
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', `/lab/upload?name=${encodeURIComponent(name)}`);
      for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
      xhr.upload.onprogress = (e) => onProgress?.(e.loaded, e.total);
      xhr.onerror = () => reject(new ApiError('failed', 'The upload was interrupted: is the server still running?'));
      xhr.onload = () => {
        let body: { error?: string } & Partial<UploadOutcome> = {};
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          /* not JSON: reported by status below */
        }
        if (xhr.status === 200) resolve(body as UploadOutcome);
        else reject(new ApiError(xhr.status === 401 || xhr.status === 403 ? 'forbidden' : 'failed', body.error ?? `The upload failed (HTTP ${xhr.status}).`));
      };
      xhr.send(uploadBody(files));
    });
  },
};

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
