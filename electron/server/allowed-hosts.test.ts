import { hostname, networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { allowedHosts, hostAllowed, originAllowed } from './allowed-hosts.js';

describe('allowed Host and Origin names', () => {
  it('on loopback: the loopback names with this port only', () => {
    const allowed = allowedHosts('127.0.0.1', 5391);
    expect([...allowed].sort()).toEqual(['127.0.0.1:5391', '[::1]:5391', 'localhost:5391']);
    expect(hostAllowed(allowed, 'LocalHost:5391')).toBe(true);
    for (const bad of [undefined, '', 'evil.example:5391', '127.0.0.1:5392', '127.0.0.1', 'localhost.:5391', '127.0.0.1:5391.evil.example'])
      expect(hostAllowed(allowed, bad)).toBe(false);
  });

  it('adds the --host value, bracketing IPv6 literals', () => {
    expect(hostAllowed(allowedHosts('lab.example.org', 8080), 'lab.example.org:8080')).toBe(true);
    expect(hostAllowed(allowedHosts('fd00::5', 8080), '[fd00::5]:8080')).toBe(true);
  });

  it('shared with a lab (0.0.0.0): also this machine\'s addresses and name', () => {
    const allowed = allowedHosts('0.0.0.0', 5180);
    expect(hostAllowed(allowed, '0.0.0.0:5180')).toBe(true);
    expect(hostAllowed(allowed, `${hostname()}:5180`)).toBe(true);
    const v4 = Object.values(networkInterfaces()).flat().find((a) => a?.family === 'IPv4')!;
    expect(hostAllowed(allowed, `${v4.address}:5180`)).toBe(true);
    expect(hostAllowed(allowed, 'evil.example:5180')).toBe(false);
  });

  it('leaves the default port out of the name on port 80, as browsers do', () => {
    expect(hostAllowed(allowedHosts('127.0.0.1', 80), 'localhost')).toBe(true);
    expect(hostAllowed(allowedHosts('127.0.0.1', 81), 'localhost')).toBe(false);
  });

  it('accepts no Origin (not a browser) or an http Origin with one of the names', () => {
    const allowed = allowedHosts('127.0.0.1', 5391);
    expect(originAllowed(allowed, undefined)).toBe(true);
    expect(originAllowed(allowed, 'http://localhost:5391')).toBe(true);
    for (const bad of ['', 'null', 'http://evil.example:5391', 'https://localhost:5391', 'http://localhost:5391/x', 'http://127.0.0.1:8000'])
      expect(originAllowed(allowed, bad)).toBe(false);
  });
});
