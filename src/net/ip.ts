import { isIP, isIPv4, isIPv6 } from 'node:net';

/**
 * Small IP helpers for the egress policy. Node's BlockList answers "is this address in that range", but
 * not "which IPv4 address hides inside this IPv6 one", which the policy needs for IPv4-mapped, NAT64 and
 * 6to4 addresses: `::ffff:7f00:1` is 127.0.0.1 as far as the kernel is concerned.
 */

/** Strips URL brackets and an IPv6 zone id (`fe80::1%eth0`), lower-cases. Returns '' when not an IP. */
export function normalizeIp(raw: string): string {
  let s = raw.trim().toLowerCase();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const zone = s.indexOf('%');
  if (zone !== -1 && isIPv6(s.slice(0, zone))) s = s.slice(0, zone);
  return isIP(s) ? s : '';
}

export function ipFamily(ip: string): 'ipv4' | 'ipv6' {
  return isIPv4(ip) ? 'ipv4' : 'ipv6';
}

/** The 16 bytes of an IPv6 address (accepts the dotted-quad tail form), or null. */
export function ipv6Bytes(ip: string): Uint8Array | null {
  if (!isIPv6(ip)) return null;
  let s = ip;
  const out = new Uint8Array(16);
  // A dotted-quad tail (`::ffff:1.2.3.4`) becomes two hex groups first.
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (isIPv4(tail)) {
    const [a, b, c, d] = tail.split('.').map(Number) as [number, number, number, number];
    s = `${s.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = s.includes('::') ? (s.split('::') as [string, string]) : [s, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = rest === undefined ? [] : rest ? rest.split(':') : [];
  const groups =
    rest === undefined ? headGroups : [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  if (groups.length !== 8) return null;
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

function dotted(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/**
 * The IPv4 address embedded in an IPv6 address by a translation scheme the kernel or a gateway will
 * honour: IPv4-mapped `::ffff:0:0/96`, IPv4-compatible `::/96` (deprecated, still routed by some
 * stacks), NAT64 `64:ff9b::/96` and 6to4 `2002::/16`. Returns the scheme name and the IPv4 address.
 */
export function embeddedIpv4(ip: string): { scheme: 'mapped' | 'compatible' | 'nat64' | '6to4'; ipv4: string } | null {
  const b = ipv6Bytes(ip);
  if (!b) return null;
  if (startsWith(b, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff])) return { scheme: 'mapped', ipv4: dotted(b, 12) };
  if (startsWith(b, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])) return { scheme: 'compatible', ipv4: dotted(b, 12) };
  if (startsWith(b, [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0])) return { scheme: 'nat64', ipv4: dotted(b, 12) };
  if (startsWith(b, [0x20, 0x02])) return { scheme: '6to4', ipv4: dotted(b, 2) };
  return null;
}
