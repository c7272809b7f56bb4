import { describe, expect, it } from 'vitest';
import { createEgressPolicy, EgressPolicy } from '../../src/net/egress.ts';
import { VigilError } from '../../src/errors.ts';

const deny = new EgressPolicy();

describe('EgressPolicy default deny', () => {
  const denied: Array<[string, string]> = [
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['100.100.100.200', 'cgnat'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.0.0.170', 'reserved'],
    ['192.168.1.1', 'private'],
    ['198.18.0.1', 'benchmark'],
    ['198.19.255.255', 'benchmark'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['fc00::1', 'private'],
    ['fd00:ec2::254', 'private'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['ff02::1', 'multicast'],
    // IPv4-mapped: a loopback one is named for what it reaches; any other mapped address is denied whole.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:8.8.8.8', 'ipv4-mapped'],
    ['::7f00:1', 'ipv4-compatible'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:0a00:0001::1', 'private'],
  ];
  it.each(denied)('denies %s (%s)', (ip, label) => {
    const d = deny.checkAddress(ip);
    expect(d.allowed).toBe(false);
    expect(d.allowed === false && d.reason).toContain(label);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '169.255.0.1', '2606:4700::1111', '64:ff9b::808:808', '2002:0808:0808::1'])(
    'allows public %s',
    (ip) => {
      expect(deny.checkAddress(ip)).toEqual({ allowed: true });
    },
  );

  it('rejects things that are not addresses', () => {
    expect(deny.checkAddress('example.com').allowed).toBe(false);
    expect(deny.checkAddress('').allowed).toBe(false);
  });
});

describe('EgressPolicy.checkHost (literal IP and localhost tricks)', () => {
  it.each(['0x7f.1', '2130706433', '127.1', '0177.0.0.1', '[::ffff:127.0.0.1]', '::1', '[::]', '0', 'localhost', 'LOCALHOST.', 'foo.localhost', 'localhost.localdomain'])(
    'denies %s',
    (host) => {
      expect(deny.checkHost(host).allowed).toBe(false);
    },
  );

  it('returns the canonical IP of a literal', () => {
    expect(deny.checkHost('0x7f.1')).toMatchObject({ allowed: false, ip: '127.0.0.1' });
    expect(deny.checkHost('[::ffff:127.0.0.1]')).toMatchObject({ allowed: false, ip: '::ffff:7f00:1' });
    expect(deny.checkHost('93.184.215.14')).toEqual({ allowed: true, ip: '93.184.215.14' });
  });

  it('lets names through to the resolved-address check', () => {
    expect(deny.checkHost('example.com')).toEqual({ allowed: true });
    expect(deny.checkHost('bad host').allowed).toBe(false);
    expect(deny.checkHost('').allowed).toBe(false);
  });
});

describe('EgressPolicy allow entries', () => {
  it('an IP entry lifts exactly that address (and its mapped form)', () => {
    const p = new EgressPolicy({ allow: ['127.0.0.1'] });
    expect(p.checkAddress('127.0.0.1').allowed).toBe(true);
    expect(p.checkAddress('::ffff:127.0.0.1').allowed).toBe(true);
    expect(p.checkAddress('127.0.0.2').allowed).toBe(false);
    expect(p.checkHost('0x7f.1').allowed).toBe(true);
  });

  it('CIDR and IPv6 entries, with and without brackets', () => {
    const p = new EgressPolicy({ allow: ['10.0.0.0/8', '[::1]', 'fd00::/8'] });
    expect(p.checkAddress('10.200.0.1').allowed).toBe(true);
    expect(p.checkAddress('11.0.0.1').allowed).toBe(true); // public anyway
    expect(p.checkAddress('192.168.0.1').allowed).toBe(false);
    expect(p.checkAddress('::1').allowed).toBe(true);
    expect(p.checkAddress('fd12::1').allowed).toBe(true);
    expect(p.checkAddress('fc00::1').allowed).toBe(false);
  });

  it('host:port entries match only that port, and never when the port is unknown', () => {
    const p = new EgressPolicy({ allow: ['127.0.0.1:9200', '[::1]:8080', 'jira.internal:443'] });
    expect(p.checkAddress('127.0.0.1', undefined, 9200).allowed).toBe(true);
    expect(p.checkAddress('127.0.0.1', undefined, 9300).allowed).toBe(false);
    expect(p.checkAddress('127.0.0.1').allowed).toBe(false);
    expect(p.checkAddress('::1', undefined, 8080).allowed).toBe(true);
    expect(p.checkAddress('10.1.1.1', 'jira.internal', 443).allowed).toBe(true);
    expect(p.checkAddress('10.1.1.1', 'jira.internal', 80).allowed).toBe(false);
  });

  it('host-name entries admit what the name resolves to; wildcards match subdomains only', () => {
    const p = new EgressPolicy({ allow: ['*.corp.example', 'smtp.internal', 'localhost'] });
    expect(p.checkAddress('10.0.0.5', 'jira.corp.example').allowed).toBe(true);
    expect(p.checkAddress('10.0.0.5', 'a.b.corp.example.').allowed).toBe(true);
    expect(p.checkAddress('10.0.0.5', 'corp.example').allowed).toBe(false);
    expect(p.checkAddress('10.0.0.5', 'evilcorp.example').allowed).toBe(false);
    expect(p.checkAddress('10.0.0.5', 'SMTP.internal').allowed).toBe(true);
    expect(p.checkAddress('10.0.0.5', 'other.internal').allowed).toBe(false);
    expect(p.checkHost('localhost').allowed).toBe(true);
  });

  it('allowPrivate lifts internal networks but never loopback or metadata', () => {
    const p = new EgressPolicy({ allowPrivate: true });
    for (const ip of ['10.0.0.1', '172.16.0.1', '192.168.0.1', '100.64.0.1', 'fd00::1']) expect(p.checkAddress(ip).allowed).toBe(true);
    for (const ip of ['127.0.0.1', '::1', '169.254.169.254', 'fe80::1', '224.0.0.1', '0.0.0.0']) expect(p.checkAddress(ip).allowed).toBe(false);
  });

  it('reads VIGIL_EGRESS_ALLOW as extra comma-separated entries', () => {
    const p = createEgressPolicy({ allow: ['10.0.0.1'] }, { VIGIL_EGRESS_ALLOW: ' 127.0.0.1 , ,192.168.0.0/16' });
    expect(p.checkAddress('10.0.0.1').allowed).toBe(true);
    expect(p.checkAddress('127.0.0.1').allowed).toBe(true);
    expect(p.checkAddress('192.168.9.9').allowed).toBe(true);
    expect(p.checkAddress('172.16.0.1').allowed).toBe(false);
  });

  it.each(['10.0.0.0/33', '10.0.0.0/x', 'host:0', 'host:70000', '*.10.0.0.1', 'bad host', '*', ':80'])('rejects invalid entry %s', (entry) => {
    expect(() => new EgressPolicy({ allow: [entry] })).toThrow(VigilError);
  });
});
