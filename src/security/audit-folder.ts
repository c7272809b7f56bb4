/**
 * Failed logins from a blocked client address are not written one row each: a client hammering the
 * API would otherwise turn every refused request into a database write (thousands a second). They are
 * summed per address instead, and one row per address is written every `flushMs` with the number of
 * failures it stands for, the time of the first and the method and path of the first.
 *
 * Memory is bounded: past `maxAddresses` pending sums, everything pending is written at once.
 */
import type { AuditEvent } from './types.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import { clientKey } from './login-guard.ts';

export interface AuditFolderOptions {
  clock: Clock;
  /** Writes one summary row. */
  write: (e: AuditEvent, count: number, time: number) => void;
  /** Default 60 000. */
  flushMs?: number;
  /** Default 10 000. */
  maxAddresses?: number;
  /** Called for each event folded into a sum. */
  onFold?: () => void;
}

export class AuditFolder {
  readonly #o: AuditFolderOptions;
  readonly #flushMs: number;
  readonly #max: number;
  readonly #sums = new Map<string, { event: AuditEvent; count: number; time: number }>();
  #timer: TimerHandle | undefined;

  constructor(o: AuditFolderOptions) {
    this.#o = o;
    this.#flushMs = o.flushMs ?? 60_000;
    this.#max = o.maxAddresses ?? 10_000;
  }

  /** Events summed but not yet written. */
  get pending(): number {
    let n = 0;
    for (const s of this.#sums.values()) n += s.count;
    return n;
  }

  fold(e: AuditEvent): void {
    this.#o.onFold?.();
    const key = clientKey(e.address);
    const sum = this.#sums.get(key);
    if (sum) {
      sum.count++;
      return;
    }
    if (this.#sums.size >= this.#max) this.flush();
    this.#sums.set(key, { event: e, count: 1, time: this.#o.clock.now() });
    if (this.#timer === undefined) {
      this.#timer = this.#o.clock.setTimeout(() => {
        this.#timer = undefined;
        this.flush();
      }, this.#flushMs);
      // A pending summary must not keep a CLI command or a test process alive; close() writes it.
      (this.#timer as { unref?: () => void }).unref?.();
    }
  }

  /** Writes every pending sum now. */
  flush(): void {
    const sums = [...this.#sums.values()];
    this.#sums.clear();
    for (const s of sums) this.#o.write(s.event, s.count, s.time);
  }

  /** Writes what is pending and stops the timer. */
  close(): void {
    if (this.#timer !== undefined) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.flush();
  }
}
