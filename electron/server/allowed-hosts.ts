// The names this server answers to, as `host:port` in lower case. A browser puts the name it
// resolved into Host (and Origin), so refusing every other name defeats DNS rebinding: a page on
// evil.example that re-points its name to this machine still sends "evil.example".
import { hostname, networkInterfaces } from 'node:os';

const wildcard = new Set(['0.0.0.0', '::', '[::]', '']);

const withBrackets = (host: string) => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);

export function allowedHosts(bindHost: string, port: number): Set<string> {
  const names = ['127.0.0.1', 'localhost', '[::1]', withBrackets(bindHost)];
  if (wildcard.has(bindHost)) {
    // Shared with a lab: students reach it by one of this machine's addresses or its name.
    names.push(hostname());
    for (const nic of Object.values(networkInterfaces())) {
      for (const a of nic ?? []) if (!a.address.includes('%')) names.push(withBrackets(a.address));
    }
  }
  const out = new Set<string>();
  for (const n of names) {
    if (!n) continue;
    out.add(`${n.toLowerCase()}:${port}`);
    if (port === 80) out.add(n.toLowerCase()); // browsers leave the default port out
  }
  return out;
}

export const hostAllowed = (allowed: Set<string>, host: string | undefined) => !!host && allowed.has(host.toLowerCase());

/** No Origin: not a browser (it still needs the token). Otherwise it must be one of our own names. */
export function originAllowed(allowed: Set<string>, origin: string | undefined): boolean {
  if (origin === undefined) return true;
  const prefix = 'http://';
  return origin.toLowerCase().startsWith(prefix) && allowed.has(origin.slice(prefix.length).toLowerCase());
}
