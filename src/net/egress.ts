import { BlockList, isIP, isIPv6 } from 'node:net';
import { VigilError } from '../errors.ts';
import { ipFamily, normalizeIp } from './ip.ts';
import { deniedRange, PRIVATE_LABELS } from './ranges.ts';

/**
 * Egress policy: every outbound connection Vigil makes on behalf of a watch (webhooks,
 * HTTP checks, Slack, PagerDuty, Jira, SMTP) is judged here. Public destinations are allowed; loopback,
 * private, link-local (cloud metadata), CGNAT, multicast and reserved ranges are denied unless an
 * administrator lists the destination in `allow`. The decision that matters is made on the resolved
 * address at connect time (see connector.ts); checkHost only catches literal-IP and `localhost` tricks
 * early, before any DNS query.
 */
export interface EgressConfig {
  /**
   * Explicit exceptions to the default deny, each one of: a host name (`jira.internal`), a wildcard
   * (`*.corp.example.com`: any subdomain, not the apex), an IP literal (`10.1.2.3`, `::1`, `[::1]`) or a
   * CIDR (`10.0.0.0/8`), optionally with `:port` (`127.0.0.1:9200`, `[::1]:8080`). A host-name entry
   * admits whatever that name resolves to: only list names whose DNS you control.
   */
  allow?: readonly string[];
  /**
   * Lifts the private (RFC 1918, ULA, site-local), CGNAT and benchmark ranges. Loopback, link-local
   * (cloud metadata), multicast and reserved ranges still need explicit `allow` entries. Default false.
   */
  allowPrivate?: boolean;
}

/** A policy decision; `reason` is safe to log (it names a range or host, never a URL). */
export type EgressDecision = { allowed: true } | { allowed: false; reason: string };

type AllowEntry =
  | { kind: 'net'; list: BlockList; port?: number; text: string }
  | { kind: 'host'; name: string; wildcard: boolean; port?: number; text: string };

/** Host names that mean "this machine" without DNS (RFC 6761 and common /etc/hosts aliases). */
const LOCAL_NAMES = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost', 'ip6-loopback']);

export class EgressPolicy {
  readonly #allow: AllowEntry[];
  readonly #allowPrivate: boolean;

  constructor(cfg: EgressConfig = {}) {
    this.#allow = (cfg.allow ?? []).map(parseAllowEntry);
    this.#allowPrivate = cfg.allowPrivate ?? false;
  }

  /**
   * Judges a resolved address. `hostname` is the name that resolved to it (a host-name allow entry
   * admits it); `port` is needed for `host:port` entries, which never match when it is unknown.
   */
  checkAddress(ip: string, hostname?: string, port?: number): EgressDecision {
    const addr = normalizeIp(ip);
    if (!addr) return { allowed: false, reason: 'not an IP address' };
    if (this.#isAllowed(addr, hostname === undefined ? undefined : canonicalName(hostname), port)) return { allowed: true };
    const label = deniedRange(addr);
    if (label === undefined || (this.#allowPrivate && PRIVATE_LABELS.has(label))) return { allowed: true };
    return { allowed: false, reason: `${label} address ${addr}` };
  }

  /**
   * Judges a host before resolution, after WHATWG canonicalisation (so `0x7f.1`, `2130706433`, `127.1`
   * and `[::ffff:127.0.0.1]` are the loopback addresses they are, and `localhost.` is `localhost`).
   * Returns the literal IP when the host is one. An allowed name still needs checkAddress on each
   * address it resolves to.
   */
  checkHost(hostname: string, port?: number): EgressDecision & { ip?: string } {
    const name = canonicalHost(hostname);
    if (name === undefined) return { allowed: false, reason: 'invalid host name' };
    if (isIP(name)) return { ...this.checkAddress(name, undefined, port), ip: name };
    if ((LOCAL_NAMES.has(name) || name.endsWith('.localhost')) && !this.#isAllowed(undefined, name, port)) {
      return { allowed: false, reason: `local host name ${name}` };
    }
    return { allowed: true };
  }

  #isAllowed(ip: string | undefined, name: string | undefined, port: number | undefined): boolean {
    return this.#allow.some((e) => {
      if (e.port !== undefined && e.port !== port) return false;
      if (e.kind === 'net') return ip !== undefined && e.list.check(ip, ipFamily(ip));
      if (name === undefined) return false;
      return e.wildcard ? name.endsWith(`.${e.name}`) : name === e.name;
    });
  }
}

/** Builds the policy from settings plus `VIGIL_EGRESS_ALLOW` (comma-separated entries, added to `allow`). */
export function createEgressPolicy(cfg: EgressConfig = {}, env: Record<string, string | undefined> = process.env): EgressPolicy {
  const fromEnv = (env.VIGIL_EGRESS_ALLOW ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return new EgressPolicy({ ...cfg, allow: [...(cfg.allow ?? []), ...fromEnv] });
}

/** Lower-case, no brackets, no trailing root dot. */
function canonicalName(name: string): string {
  let s = name.trim().toLowerCase();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  return s.endsWith('.') ? s.slice(0, -1) : s;
}

/** WHATWG host parsing (IPv4 number forms, IDNA), then canonicalName; undefined when unparsable. */
export function canonicalHost(host: string): string | undefined {
  const raw = host.trim();
  if (!raw) return undefined;
  const bracketed = isIPv6(raw) ? `[${raw}]` : raw;
  try {
    const parsed = new URL(`http://${bracketed}/`).hostname;
    return parsed ? canonicalName(parsed) : undefined;
  } catch {
    return undefined;
  }
}

function invalid(text: string, why: string): VigilError {
  return new VigilError('CONFIG_INVALID', `invalid egress allow entry "${text}": ${why}`);
}

function parseAllowEntry(text: string): AllowEntry {
  let s = text.trim().toLowerCase();
  let port: number | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracket) {
    s = bracket[1]!;
    if (bracket[2] !== undefined) port = Number(bracket[2]);
  } else if (s.split(':').length === 2) {
    const at = s.lastIndexOf(':');
    port = Number(s.slice(at + 1));
    s = s.slice(0, at);
  }
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw invalid(text, 'bad port');
  if (!s) throw invalid(text, 'empty host');

  const slash = s.indexOf('/');
  if (slash !== -1) {
    const net = normalizeIp(s.slice(0, slash));
    const prefix = Number(s.slice(slash + 1));
    const max = net && ipFamily(net) === 'ipv4' ? 32 : 128;
    if (!net || !Number.isInteger(prefix) || prefix < 0 || prefix > max) throw invalid(text, 'bad CIDR');
    const list = new BlockList();
    list.addSubnet(net, prefix, ipFamily(net));
    return { kind: 'net', list, port, text };
  }
  const wildcard = s.startsWith('*.');
  const host = canonicalHost(wildcard ? s.slice(2) : s);
  if (host === undefined || host.includes('*')) throw invalid(text, 'bad host');
  if (isIP(host)) {
    if (wildcard) throw invalid(text, 'wildcard on an IP address');
    const list = new BlockList();
    list.addAddress(host, ipFamily(host));
    return { kind: 'net', list, port, text };
  }
  return { kind: 'host', name: host, wildcard, port, text };
}
