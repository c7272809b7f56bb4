import { BlockList } from 'node:net';
import { embeddedIpv4, ipFamily } from './ip.ts';

/**
 * The default-deny address ranges of the egress policy (plus the documentation,
 * multicast and transition ranges nobody legitimately sends a webhook to). Each range carries a label:
 * the label is what an operator sees in an EGRESS_DENIED line, and decides what `allowPrivate` lifts.
 */
export type RangeLabel =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'cgnat'
  | 'link-local'
  | 'reserved'
  | 'benchmark'
  | 'documentation'
  | 'multicast'
  | 'ipv4-mapped'
  | 'ipv4-compatible';

/** Labels `allowPrivate: true` lifts: internal networks. Loopback and link-local (cloud metadata) never. */
export const PRIVATE_LABELS: ReadonlySet<RangeLabel> = new Set<RangeLabel>(['private', 'cgnat', 'benchmark']);

const RANGES: ReadonlyArray<[string, number, 'ipv4' | 'ipv6', RangeLabel]> = [
  ['0.0.0.0', 8, 'ipv4', 'unspecified'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['100.64.0.0', 10, 'ipv4', 'cgnat'], // also Alibaba's metadata service at 100.100.100.200
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local'], // cloud metadata 169.254.169.254
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.0.0.0', 24, 'ipv4', 'reserved'],
  ['192.0.2.0', 24, 'ipv4', 'documentation'],
  ['192.88.99.0', 24, 'ipv4', 'reserved'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['198.18.0.0', 15, 'ipv4', 'benchmark'],
  ['198.51.100.0', 24, 'ipv4', 'documentation'],
  ['203.0.113.0', 24, 'ipv4', 'documentation'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved'], // includes 255.255.255.255
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['64:ff9b:1::', 48, 'ipv6', 'reserved'], // local-use NAT64: the embedded address is the operator's choice
  ['100::', 64, 'ipv6', 'reserved'], // discard-only
  ['2001::', 32, 'ipv6', 'reserved'], // Teredo tunnels to an obfuscated IPv4 client
  ['2001:db8::', 32, 'ipv6', 'documentation'],
  ['fc00::', 7, 'ipv6', 'private'], // ULA; AWS IPv6 metadata fd00:ec2::254 lives here
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['fec0::', 10, 'ipv6', 'private'], // deprecated site-local
  ['ff00::', 8, 'ipv6', 'multicast'],
];

// One BlockList per range so a match can name its label. A BlockList IPv4 rule also matches the
// IPv4-mapped IPv6 form of the address; an IPv6 rule such as `::ffff:0:0/96` would, conversely, match
// every plain IPv4 address, which is why mapped addresses are handled through embeddedIpv4 instead.
const LISTS: ReadonlyArray<[BlockList, RangeLabel]> = RANGES.map(([net, prefix, family, label]) => {
  const list = new BlockList();
  list.addSubnet(net, prefix, family);
  return [list, label];
});

// All ranges at once: public addresses, the common case, cost one lookup instead of one per range.
const ANY = new BlockList();
for (const [net, prefix, family] of RANGES) ANY.addSubnet(net, prefix, family);

function ruleLabel(ip: string): RangeLabel | undefined {
  const family = ipFamily(ip);
  if (!ANY.check(ip, family)) return undefined;
  for (const [list, label] of LISTS) if (list.check(ip, family)) return label;
  return undefined;
}

/**
 * The denied range an address (normalised, see normalizeIp) falls in, or undefined for a public address.
 * IPv6 addresses that embed an IPv4 address: IPv4-mapped and IPv4-compatible ones are denied as such
 * (the policy denies `::ffff:0:0/96` whole); NAT64 and 6to4 ones are judged by the embedded address.
 */
export function deniedRange(ip: string): RangeLabel | undefined {
  const own = ruleLabel(ip);
  if (own) return own;
  const embedded = ipFamily(ip) === 'ipv6' ? embeddedIpv4(ip) : null;
  if (!embedded) return undefined;
  if (embedded.scheme === 'mapped') return 'ipv4-mapped';
  if (embedded.scheme === 'compatible') return 'ipv4-compatible';
  return ruleLabel(embedded.ipv4);
}
