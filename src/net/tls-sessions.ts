/**
 * TLS sessions kept for resumption, each only for a bounded time after the full handshake that made it
 * (`tls.client_session_timeout`, as Java's SSLSessionContext session timeout that Signals sets). A
 * resumed handshake skips the certificate checks, so the bound is how long a connection can go on
 * trusting what was checked then. A resumed connection's new ticket keeps the original handshake's
 * time: resuming never extends the bound.
 */
import type { TLSSocket } from 'node:tls';
import type { Clock } from '../clock.ts';

export interface TlsSessionEntry {
  session: Buffer;
  /** When the full handshake behind this session happened. */
  verifiedAt: number;
}

/** Sessions per destination (`host:port`); LRU-bounded. */
export class TlsSessionCache {
  readonly #maxAgeMs: number;
  readonly #clock: Clock;
  readonly #max: number;
  readonly #entries = new Map<string, TlsSessionEntry>();

  /** `maxAgeMs` 0: no limit. */
  constructor(maxAgeMs: number, clock: Clock, max = 100) {
    this.#maxAgeMs = maxAgeMs;
    this.#clock = clock;
    this.#max = max;
  }

  /** The session to offer for `key`, unless none is kept or it is too old to resume. */
  offer(key: string): TlsSessionEntry | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    if (this.#maxAgeMs > 0 && this.#clock.monotonic() - e.verifiedAt >= this.#maxAgeMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return e;
  }

  /** Keeps the sessions (tickets) `socket` receives for `key`; `offered` is what its handshake offered. */
  track(key: string, socket: TLSSocket, offered: TlsSessionEntry | undefined): void {
    socket.on('session', (session: Buffer) => {
      const verifiedAt = socket.isSessionReused() && offered ? offered.verifiedAt : this.#clock.monotonic();
      this.#entries.delete(key);
      this.#entries.set(key, { session, verifiedAt });
      if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
    });
  }
}
