/**
 * The dead-man switch: a heartbeat sent to a receiver outside Vigil every interval (a healthchecks-style
 * ping URL, or a PagerDuty event that a heartbeat rule expects), so that a Vigil that died, hangs or lost
 * its network is noticed by the silence: Alertmanager users know it as the Watchdog alert. What a
 * heartbeat is (the request, through the egress-checked client) is given by the caller; this keeps the
 * cadence, counts failures for health and metrics, and logs a change of state once, not every beat.
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../clock.ts';
import type { Metrics } from '../metrics.ts';
import type { DeadmanStatus } from './report.ts';

export interface DeadmanOptions {
  clock: Clock;
  logger: Logger;
  metrics: Pick<Metrics, 'deadmanHeartbeats' | 'deadmanLastSuccess'>;
  intervalMs: number;
  /** Where the heartbeat goes, for logs (a host or an account name: never a path, which may be the secret). */
  target: string;
  /** Sends one heartbeat; rejects with a message that names no secret when it did not get through. */
  beat(signal: AbortSignal): Promise<void>;
}

export class DeadmanSwitch {
  readonly #o: DeadmanOptions;
  #failures = 0;
  #lastError: string | null = null;
  #lastSuccessAt: number | null = null;
  #timer: TimerHandle | null = null;
  #running: Promise<void> | null = null;
  readonly #abort = new AbortController();
  #stopped = false;

  constructor(o: DeadmanOptions) {
    this.#o = o;
  }

  /** The first heartbeat now, then one every interval (counted from the start of the previous one) until `stop`. */
  start(): void {
    if (this.#stopped || this.#running || this.#timer !== null) return;
    this.#o.logger.info({ target: this.#o.target, intervalMs: this.#o.intervalMs }, 'dead-man switch on');
    this.#beat();
  }

  /** No more heartbeats; one in flight is aborted. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.#abort.abort();
    await this.#running;
  }

  status(): DeadmanStatus {
    return { failures: this.#failures, lastError: this.#lastError, lastSuccessAt: this.#lastSuccessAt };
  }

  #beat(): void {
    const { clock, logger, metrics, target } = this.#o;
    this.#timer = null;
    const started = clock.monotonic();
    this.#running = this.#o
      .beat(this.#abort.signal)
      .then(
        () => {
          if (this.#failures > 0) logger.info({ target, failures: this.#failures }, 'dead-man switch heartbeat gets through again');
          this.#failures = 0;
          this.#lastError = null;
          this.#lastSuccessAt = clock.now();
          metrics.deadmanHeartbeats.inc({ outcome: 'sent' });
          metrics.deadmanLastSuccess.set(this.#lastSuccessAt / 1000);
        },
        (e: unknown) => {
          if (this.#stopped) return;
          const error = e instanceof Error ? e.message : String(e);
          this.#failures++;
          metrics.deadmanHeartbeats.inc({ outcome: 'failed' });
          // Once per kind of failure: an outage of the receiver is one line, not one per interval.
          if (error !== this.#lastError) logger.warn({ target, failures: this.#failures }, `dead-man switch heartbeat failed: ${error}`);
          this.#lastError = error;
        },
      )
      .finally(() => {
        this.#running = null;
        if (this.#stopped) return;
        const wait = Math.max(0, this.#o.intervalMs - (clock.monotonic() - started));
        this.#timer = clock.setTimeout(() => this.#beat(), wait);
      });
  }
}
