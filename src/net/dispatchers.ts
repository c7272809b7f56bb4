import { createHash } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';
import { Agent, Pool, ProxyAgent, type Dispatcher } from 'undici';
import type { Clock } from '../clock.ts';
import { checkedLookup, egressConnector, type EgressGuard } from './connector.ts';
import { TlsSessionCache } from './tls-sessions.ts';
import type { HttpRequest } from './types.ts';

/**
 * One undici dispatcher per distinct (TLS settings, connect timeout, proxy): each is an Agent with a
 * keep-alive pool per origin, so requests that share settings share connections. The map is bounded;
 * the least recently used dispatcher is closed gracefully when it overflows.
 */
export interface DispatcherKey {
  tls?: HttpRequest['tls'];
  connectTimeoutMs: number;
  proxy?: string;
}

export interface DispatcherSettings {
  guard: EgressGuard;
  /** Idle time before a pooled connection is closed (undici default 4 s). */
  keepAliveTimeoutMs: number;
  /** Connections per origin. */
  connections: number;
  /** Dispatchers kept (distinct TLS/proxy/timeout combinations). */
  maxDispatchers: number;
  /** Times the lifetime of resumable TLS sessions (`tls.client_session_timeout`). */
  clock: Clock;
}

/** Maps a watch's `tls` options onto Node TLS options. `trusted_certs` replaces the system roots for that request. */
export function tlsOptions(tls: HttpRequest['tls']): ConnectionOptions {
  if (!tls) return {};
  const o: ConnectionOptions = {};
  if (tls.trusted_certs) o.ca = tls.trusted_certs;
  if (tls.trust_all) o.rejectUnauthorized = false;
  // The chain is still verified; only the name check is skipped (Signals `verify_hostnames: false`).
  if (tls.verify_hostnames === false) o.checkServerIdentity = () => undefined;
  if (tls.client_auth) {
    o.cert = tls.client_auth.certs;
    o.key = tls.client_auth.private_key;
    if (tls.client_auth.private_key_password !== undefined) o.passphrase = tls.client_auth.private_key_password;
  }
  return o;
}

export class DispatcherCache {
  readonly #settings: DispatcherSettings;
  readonly #map = new Map<string, Dispatcher>();

  constructor(settings: DispatcherSettings) {
    this.#settings = settings;
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: DispatcherKey): Dispatcher {
    // Hashed so a client private key never sits in a map key (heap snapshots, debug dumps).
    const id = createHash('sha256').update(JSON.stringify([key.tls ?? null, key.connectTimeoutMs, key.proxy ?? null])).digest('hex');
    const found = this.#map.get(id);
    if (found) {
      this.#map.delete(id);
      this.#map.set(id, found);
      return found;
    }
    const created = this.#create(key);
    this.#map.set(id, created);
    if (this.#map.size > this.#settings.maxDispatchers) {
      const [oldestId, oldest] = this.#map.entries().next().value!;
      this.#map.delete(oldestId);
      // In-flight requests on it finish; only then are its sockets closed.
      oldest.close().catch(() => {});
    }
    return created;
  }

  /**
   * Tears every dispatcher down, with whatever is still in flight: at shutdown the callers have given
   * up (aborted) already, and a graceful close would wait for a tunnel a proxy never answers.
   */
  async close(): Promise<void> {
    const all = [...this.#map.values()];
    this.#map.clear();
    await Promise.all(all.map((d) => d.destroy().catch(() => undefined)));
  }

  #create(key: DispatcherKey): Dispatcher {
    const { guard, keepAliveTimeoutMs, connections } = this.#settings;
    const tls = tlsOptions(key.tls);
    const common = { keepAliveTimeout: keepAliveTimeoutMs, connections };
    const sessionMs = key.tls?.client_session_timeout;
    if (!key.proxy) {
      const sessions = sessionMs === undefined ? undefined : new TlsSessionCache(sessionMs, this.#settings.clock);
      return new Agent({ ...common, connect: egressConnector(guard, { ...tls, timeout: key.connectTimeoutMs }, sessions) });
    }
    // Through a proxy the proxy resolves the target, so the target is judged by name only (http.ts);
    // the connection to the proxy itself goes through the checked lookup like any other.
    const proxy = new URL(key.proxy);
    const proxyPort = Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : 80);
    return new ProxyAgent({
      ...common,
      uri: key.proxy,
      // The CONNECT is part of connecting: bounded like a connect, not by the proxy client's default
      // 5-minute wait for response headers (a proxy that accepts and never answers held it that long).
      clientFactory: (origin, opts) => new Pool(origin, { ...opts, headersTimeout: key.connectTimeoutMs, bodyTimeout: key.connectTimeoutMs }),
      proxyTls: { timeout: key.connectTimeoutMs, lookup: checkedLookup(guard, proxy.hostname, proxyPort) },
      // Sessions to the target are cached by undici without a lifetime: with a session timeout set, none
      // is resumed through a proxy (0 means no limit: undici's cache then serves).
      requestTls: { ...tls, timeout: key.connectTimeoutMs, ...(sessionMs ? { maxCachedSessions: 0 } : {}) },
    });
  }
}
