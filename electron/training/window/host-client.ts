// The window's side of its host calls: each call gets an id, waits for the hostReply with that id,
// and resolves with the result checked against the reply's schema. A host that never answers, or a
// link that closes, rejects the pending calls with the reason, so no run waits forever.
import { HostReplies, type FromWindow, type HostCall, type HostReply } from '../../worker-protocol/window.js';

export interface HostClient {
  call<Op extends HostCall['op']>(call: Extract<HostCall, { op: Op }>): Promise<HostReply<Op>>;
  /** A hostReply arrived (already validated as one). */
  settle(reply: { callId: number; ok: boolean; result?: unknown; error?: string }): void;
  /** Rejects every pending call with `reason` and every later one at once. */
  closeAll(reason: string): void;
}

/** Host calls decode data sets with sharp or read model files: minutes for a large folder, never an hour. */
export const HOST_CALL_TIMEOUT_MS = 10 * 60_000;

export function createHostClient(post: (message: FromWindow) => void, timeoutMs = HOST_CALL_TIMEOUT_MS): HostClient {
  let nextId = 1;
  let closed: string | null = null;
  const pending = new Map<number, { op: HostCall['op']; resolve: (v: unknown) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }>();

  return {
    call(call) {
      if (closed) return Promise.reject(new Error(`The host cannot be asked any more: ${closed}`));
      const callId = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(callId);
          reject(new Error(`The host did not answer the "${call.op}" call within ${Math.round(timeoutMs / 1000)} s.`));
        }, timeoutMs);
        pending.set(callId, { op: call.op, resolve: resolve as (v: unknown) => void, reject, timer });
        try {
          post({ type: 'hostCall', callId, call });
        } catch (e) {
          clearTimeout(timer);
          pending.delete(callId);
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      });
    },
    settle({ callId, ok, result, error }) {
      const p = pending.get(callId);
      if (!p) return;
      pending.delete(callId);
      clearTimeout(p.timer);
      if (!ok) return p.reject(new Error(error ?? `The host could not answer the "${p.op}" call.`));
      const parsed = HostReplies[p.op].safeParse(result ?? null);
      if (parsed.success) p.resolve(parsed.data);
      else p.reject(new Error(`The host's answer to "${p.op}" is malformed: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`));
    },
    closeAll(reason) {
      closed ??= reason;
      for (const p of pending.values()) {
        clearTimeout(p.timer);
        p.reject(new Error(`The host cannot answer any more: ${reason}`));
      }
      pending.clear();
    },
  };
}
