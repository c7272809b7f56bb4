/**
 * Wildcard patterns as the OpenSearch Security configuration uses them (`*` any run of characters,
 * `?` one character), and client host patterns for role mappings.
 */
import { BlockList, isIP } from 'node:net';

const cache = new Map<string, RegExp>();

/** Whether `value` matches the wildcard `pattern` (whole string, case-sensitive). */
export function wildcardMatch(pattern: string, value: string): boolean {
  if (pattern === '*' || pattern === value) return true;
  if (!pattern.includes('*') && !pattern.includes('?')) return false;
  let re = cache.get(pattern);
  if (!re) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(`^${body}$`, 's');
    // Patterns come from a bounded configuration; the cap only guards against a leak.
    if (cache.size > 10_000) cache.clear();
    cache.set(pattern, re);
  }
  return re.test(value);
}

export const anyMatch = (patterns: readonly string[], value: string): boolean => patterns.some((p) => wildcardMatch(p, value));

/**
 * A role mapping's host entry: an address, a CIDR (`10.0.0.0/8`, `fd00::/8`) or an address pattern
 * (`192.168.*`). Host names are not resolved (a reverse lookup is slow and can be forged by whoever
 * controls the address's DNS), so names are refused rather than silently never matching.
 */
export function isHostPattern(v: string): boolean {
  const slash = v.indexOf('/');
  if (slash >= 0) {
    const family = isIP(v.slice(0, slash));
    const bits = v.slice(slash + 1);
    return family !== 0 && /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
  }
  return v.length > 0 && v.length <= 64 && /^[0-9A-Fa-f:.*?]+$/.test(v);
}

/** Whether the client address `ip` matches a host entry (see isHostPattern). */
export function hostMatches(entry: string, ip: string): boolean {
  const addr = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  const slash = entry.indexOf('/');
  if (slash < 0) return wildcardMatch(entry.toLowerCase(), addr.toLowerCase());
  const net = entry.slice(0, slash);
  const family = isIP(net) === 4 ? 'ipv4' : 'ipv6';
  const fam = isIP(addr);
  if (!fam || (fam === 4) !== (family === 'ipv4')) return false;
  const list = new BlockList();
  list.addSubnet(net, Number(entry.slice(slash + 1)), family);
  return list.check(addr, family);
}
