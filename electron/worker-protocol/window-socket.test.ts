// The window protocol over a real WebSocket pair on loopback (ws on both ends, as the server and a
// tab's Web Worker would use it): typed arrays survive, malformed frames are dropped, the cap holds,
// and a close arrives once, in words.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { FromWindow, ToWindow, type WindowLink } from './window.js';
import { HOST_CLOSING, MAX_FRAME_BYTES, FrameTooLargeError, closeReason, connectWindowSocket, decodeFrame, encodeFrame, hostSocketLink, type SocketLike } from './window-socket.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => { for (const c of cleanups.splice(0)) await c(); });

/** A loopback server whose connections become host links; resolves with the client's link too. */
async function pair(): Promise<{ host: WindowLink<ToWindow>; tab: WindowLink<FromWindow>; logs: string[]; serverSocket: WebSocket }> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => { for (const c of wss.clients) c.terminate(); wss.close(); http.close(() => r()); }));
  const logs: string[] = [];
  const hostReady = new Promise<{ host: WindowLink<ToWindow>; serverSocket: WebSocket }>((resolve) =>
    wss.on('connection', (ws) => resolve({ host: hostSocketLink(ws as unknown as SocketLike, (m) => logs.push(m)), serverSocket: ws })));
  const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/`;
  const tab = await connectWindowSocket(url, (m) => logs.push(m), WebSocket as unknown as new (url: string) => SocketLike);
  return { ...(await hostReady), tab, logs };
}

const nextMessage = (link: WindowLink<unknown>) => new Promise<unknown>((r) => link.onMessage(r));

describe('window socket framing', () => {
  it('keeps typed arrays as typed arrays through a frame', () => {
    const data = new Float32Array([0.5, -1.25, 3]);
    const back = decodeFrame(encodeFrame({ call: { op: 'cachePut', key: 'ab'.repeat(8), data }, bytes: new Uint8Array([1, 255]) })) as { call: { data: Float32Array }; bytes: Uint8Array };
    expect(back.call.data).toBeInstanceOf(Float32Array);
    expect([...back.call.data]).toEqual([0.5, -1.25, 3]);
    expect(back.bytes).toBeInstanceOf(Uint8Array);
    expect([...back.bytes]).toEqual([1, 255]);
  });

  it('refuses a frame over the cap with the sizes in words', () => {
    const tooBig = { byteLength: MAX_FRAME_BYTES + 1 } as Uint8Array;
    expect(() => decodeFrame(tooBig)).toThrow(FrameTooLargeError);
    expect(() => decodeFrame(tooBig)).toThrow(/over the 512 MB limit/);
  });

  it('words close codes for the end that saw them', () => {
    expect(closeReason(1001, '', "The tab training on this computer's GPU")).toBe("The tab training on this computer's GPU was closed.");
    expect(closeReason(1006, '', 'The Transfer Lab server')).toBe('The connection to the Transfer Lab server was lost (code 1006).');
    expect(closeReason(4409, 'Another tab already trains.', 'x')).toBe('Another tab already trains.');
  });
});

describe('window socket link', () => {
  it('carries validated messages with typed arrays both ways', async () => {
    const { host, tab } = await pair();
    const arrivedAtTab = nextMessage(tab);
    host.post({ type: 'hostReply', callId: 7, ok: true, result: { pixels: new Uint8Array([9, 8, 7]) } });
    const reply = (await arrivedAtTab) as { type: string; result: { pixels: Uint8Array } };
    expect(reply.type).toBe('hostReply');
    expect([...reply.result.pixels]).toEqual([9, 8, 7]);

    const arrivedAtHost = nextMessage(host);
    const data = new Float32Array(1000).map((_, i) => i / 7);
    tab.post({ type: 'hostCall', callId: 1, call: { op: 'cachePut', key: 'a1'.repeat(8), data } });
    const call = (await arrivedAtHost) as FromWindow;
    expect(call.type === 'hostCall' && call.call.op === 'cachePut' && call.call.data).toBeInstanceOf(Float32Array);
    if (call.type === 'hostCall' && call.call.op === 'cachePut') expect(call.call.data[999]).toBe(Math.fround(999 / 7));
  });

  it('drops a malformed message and a text frame, and says so', async () => {
    const { host, serverSocket, tab, logs } = await pair();
    const got: unknown[] = [];
    host.onMessage((m) => got.push(m));
    tab.post({ type: 'progress', progress: { runId: 42 } } as unknown as FromWindow);
    const after = nextMessage(host);
    tab.post({ type: 'gpuLost', reason: 'test' });
    expect(await after).toEqual({ type: 'gpuLost', reason: 'test' });
    expect(got).toEqual([{ type: 'gpuLost', reason: 'test' }]);
    expect(logs.some((l) => l.startsWith('ignored a malformed message'))).toBe(true);
    const tabGot = nextMessage(tab);
    serverSocket.send('{"type":"cancel","runId":"x"}');
    host.post({ type: 'cancel', runId: 'y' });
    expect(await tabGot).toEqual({ type: 'cancel', runId: 'y' });
    expect(logs).toContain('ignored a text frame on the GPU window connection');
  });

  it('hands a host call with a bad payload on, so the host can answer it with why', async () => {
    const { host, tab } = await pair();
    const arrived = nextMessage(host);
    tab.post({ type: 'hostCall', callId: 5, call: { op: 'cacheGet', key: 'not a key' } } as unknown as FromWindow);
    expect(await arrived).toEqual({ type: 'hostCall', callId: 5, call: { op: 'cacheGet', key: 'not a key' } });
  });

  it('reports the close once, with the reason, on the other end; posting after it is an error', async () => {
    const { host, tab } = await pair();
    const reasons: string[] = [];
    const closed = new Promise<void>((r) => host.onClose((reason) => { reasons.push(reason); r(); }));
    tab.close();
    await closed;
    expect(reasons).toEqual(["The tab training on this computer's GPU was closed."]);
    expect(() => host.post({ type: 'cancel', runId: 'x' })).toThrow(/not connected/);
    // A late listener still hears it.
    const late = await new Promise<string>((r) => host.onClose(r));
    expect(late).toBe("The tab training on this computer's GPU was closed.");
  });

  it('the server ending the connection tells the tab why', async () => {
    const { host, tab } = await pair();
    const reason = new Promise<string>((r) => tab.onClose(r));
    host.close();
    expect(await reason).toBe(HOST_CLOSING);
  });

  it('a dropped tab reads as closed on the host', async () => {
    const { host, serverSocket } = await pair();
    const reason = new Promise<string>((r) => host.onClose(r));
    serverSocket.terminate();
    expect(await reason).toMatch(/connection to the tab training on this computer's GPU was lost|was closed/);
  });
});
