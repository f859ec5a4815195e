// The browser-mode server as users start it: loopback only by default, a clear one-line error when
// the port is taken, still running after malformed requests.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { startAppServer } from './app-server.js';
import { expect, test } from './fixtures.js';

/** Local addresses of the sockets a process listens on, read from /proc (no traffic sent). */
function listeningAddresses(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of execFileSync('ls', [`/proc/${pid}/fd`]).toString().trim().split('\n')) {
    try {
      const link = execFileSync('readlink', [`/proc/${pid}/fd/${fd}`]).toString();
      const m = /socket:\[(\d+)\]/.exec(link);
      if (m) inodes.add(m[1]);
    } catch { /* fd closed meanwhile */ }
  }
  const out: string[] = [];
  for (const table of ['tcp', 'tcp6']) {
    const rows = readFileSync(`/proc/${pid}/net/${table}`, 'utf8').trim().split('\n').slice(1);
    for (const row of rows) {
      const cols = row.trim().split(/\s+/);
      if (cols[3] === '0A' && inodes.has(cols[9])) out.push(cols[1]); // 0A = LISTEN
    }
  }
  return out;
}

test('listens on loopback only by default', async ({ app }) => {
  test.skip(process.platform !== 'linux', 'reads /proc, which only Linux has');
  expect(new URL(app.url).hostname).toBe('127.0.0.1');
  const addrs = listeningAddresses(app.process.pid!);
  expect(addrs.length).toBeGreaterThan(0);
  for (const a of addrs) expect(a.split(':')[0]).toBe('0100007F'); // 127.0.0.1, little-endian hex
});

test('a taken port gives one clear line, not a stack trace', async ({ app }) => {
  const port = new URL(app.url).port;
  const second = startAppServer(undefined, ['--port', port]).catch((e: Error) => e.message);
  // startAppServer passes --port 0 first; the later flag wins in parseArgs.
  const message = await second;
  expect(String(message)).toContain(`Port ${port} on 127.0.0.1 is already in use`);
  expect(String(message)).not.toMatch(/\n\s+at /);
});

test('a resources folder without the shipped data gives one clear line, not a stack trace', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'tl-no-resources-'));
  const message = await startAppServer(undefined, ['--resources', empty]).then(async (a) => { await a.stop(); return 'started'; }, (e: Error) => e.message);
  expect(message).toContain(`--resources ${empty} has no datasets, models, lessons folder`);
  expect(message).not.toMatch(/\n\s+at /);
});

/** The status line the server answers a hand-written request with. */
function statusLine(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let got = '';
    socket.on('data', (d) => {
      got += d;
      if (got.includes('\r\n')) socket.destroy(), resolve(got.split('\r\n')[0]);
    });
    socket.on('error', reject);
    socket.on('end', () => resolve(got.split('\r\n')[0]));
  });
}

test('malformed cookies and addresses are answered, and the server keeps running', async ({ app }) => {
  const port = Number(new URL(app.url).port);
  const host = `Host: 127.0.0.1:${port}\r\n`;
  const ws = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
  for (const cookie of ['tl_token=%E0%A4%A', 'tl_token=%', `tl_assets_${port}=%`]) {
    expect(await statusLine(port, `GET / HTTP/1.1\r\n${host}Cookie: ${cookie}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 401/);
    expect(await statusLine(port, `GET /assets/x.png HTTP/1.1\r\n${host}Cookie: ${cookie}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 401/);
    expect(await statusLine(port, `GET /ws HTTP/1.1\r\n${host}${ws}Cookie: ${cookie}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 401/);
  }
  expect(await statusLine(port, `GET // HTTP/1.1\r\n${host}\r\n`)).toMatch(/^HTTP\/1\.1 4\d\d/);
  expect(await statusLine(port, `GET // HTTP/1.1\r\n${host}${ws}\r\n`)).toMatch(/^HTTP\/1\.1 4\d\d/);
  expect(await statusLine(port, `GET /?token=${app.token} HTTP/1.1\r\nHost: evil.example:${port}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 403/);
  expect(app.process.exitCode).toBeNull();
  expect(await statusLine(port, `GET /?token=${app.token} HTTP/1.1\r\n${host}\r\n`)).toMatch(/^HTTP\/1\.1 200/);
});
