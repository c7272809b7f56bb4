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

const STAR = -1;
const ONE = -2;
const tokens = (p: string): number[] => [...p].map((c) => (c === '*' ? STAR : c === '?' ? ONE : c.codePointAt(0)!));
/** The text before the first wildcard. */
const literalPrefix = (p: string): string => p.slice(0, p.search(/[*?]/) >>> 0);

/**
 * Whether the wildcard `pattern` matches every value the wildcard `target` can match: a role's index
 * pattern covering the pattern a search names (`logs-*` covers `logs-eu-*`; `logs-eu-*` does not cover
 * `logs-*`). Without wildcards in `target` it is `wildcardMatch`.
 *
 * Decided on the two patterns themselves: a `*` of `pattern` takes any run of `target`'s characters and
 * wildcards, a `?` one character or `?`, and any other character only itself. Every answer `true` is
 * right (each value of `target` is then matched); a rare covering pair may be answered `false` (a
 * refusal, never a leak).
 */
export function wildcardCovers(pattern: string, target: string): boolean {
  if (!target.includes('*') && !target.includes('?')) return wildcardMatch(pattern, target);
  // Most patterns of a role part ways with the target in their literal prefixes: no table for those.
  // The pattern's prefix must be a prefix of the target's (where the target has a wildcard first, it
  // can produce a character the pattern's literal refuses).
  const pp = literalPrefix(pattern);
  if (pp.length > literalPrefix(target).length || !target.startsWith(pp)) return false;
  const p = tokens(pattern);
  const t = tokens(target);
  // next[j]: pattern[i+1..] covers target[j..]; row[j]: pattern[i..] covers target[j..]. Filled from the ends.
  let next = new Uint8Array(t.length + 1);
  let row = new Uint8Array(t.length + 1);
  next[t.length] = 1;
  for (let i = p.length - 1; i >= 0; i--) {
    const c = p[i]!;
    row[t.length] = c === STAR ? next[t.length]! : 0;
    for (let j = t.length - 1; j >= 0; j--) {
      if (c === STAR) row[j] = next[j]! | row[j + 1]!;
      else if (c === ONE) row[j] = t[j] !== STAR ? next[j + 1]! : 0;
      else row[j] = t[j] === c ? next[j + 1]! : 0;
    }
    [next, row] = [row, next];
  }
  return next[0] === 1;
}

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
