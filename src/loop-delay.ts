/**
 * Event-loop delay over a rolling window: what `/metrics` reports does not depend on who scrapes or how
 * often (two scrapers, or a person with curl, see the same figures). The sampler's histogram is folded
 * into one slot per `slotMs` on a timer; a reading merges the last `slots` slots with what the sampler
 * holds now, so it covers between `(slots - 1) * slotMs` and `slots * slotMs` of the most recent time.
 */
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import type { Clock, TimerHandle } from './clock.ts';

/** Records event-loop delays (nanoseconds) into `histogram` while started. */
export interface DelaySampler {
  readonly histogram: RecordableHistogram;
  start(): void;
  stop(): void;
}

/**
 * Measures how late a repeating real timer fires. perf_hooks' `monitorEventLoopDelay` does the same
 * natively, but its histogram cannot be merged into another, and a rolling window needs that.
 */
export class TimerDelaySampler implements DelaySampler {
  readonly histogram = createHistogram();
  readonly #everyMs: number;
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(everyMs = 10) {
    this.#everyMs = everyMs;
  }

  start(): void {
    if (this.#timer) return;
    let last = performance.now();
    // The real clock on purpose: the delay measured is the process's own, whatever clock the daemon is given.
    this.#timer = setInterval(() => {
      const now = performance.now();
      this.histogram.record(Math.max(1, Math.round((now - last - this.#everyMs) * 1e6)));
      last = now;
    }, this.#everyMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}

export interface LoopDelayReading {
  /** Seconds; 0 when nothing was sampled in the window. */
  p50: number;
  p99: number;
  max: number;
}

export interface LoopDelayWindowOptions {
  clock: Clock;
  /** Default 10 000 ms. */
  slotMs?: number;
  /** Default 6 (a minute). */
  slots?: number;
  /** Default: a TimerDelaySampler sampling every 10 ms. */
  sampler?: DelaySampler;
}

export class LoopDelayWindow {
  readonly #clock: Clock;
  readonly #slotMs: number;
  readonly #slots: number;
  readonly #sampler: DelaySampler;
  /** Oldest first; at most `slots - 1` (the sampler holds the current one). */
  readonly #past: RecordableHistogram[] = [];
  #timer: TimerHandle | null = null;

  /** The window is `slots * slotMs` long (a minute by default). */
  constructor(o: LoopDelayWindowOptions) {
    this.#clock = o.clock;
    this.#slotMs = o.slotMs ?? 10_000;
    this.#slots = Math.max(1, o.slots ?? 6);
    this.#sampler = o.sampler ?? new TimerDelaySampler();
  }

  get running(): boolean {
    return this.#timer !== null;
  }

  start(): void {
    if (this.#timer) return;
    this.#sampler.start();
    this.#schedule();
  }

  stop(): void {
    if (!this.#timer) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.#sampler.stop();
  }

  /** The window's median, 99th percentile and maximum; reading changes nothing. */
  read(): LoopDelayReading {
    const all = createHistogram();
    for (const h of this.#past) all.add(h);
    all.add(this.#sampler.histogram);
    // Nanoseconds; an empty histogram reports NaN or sentinel values.
    const s = (v: number) => (all.count > 0 && Number.isFinite(v) ? v / 1e9 : 0);
    return { p50: s(all.percentile(50)), p99: s(all.percentile(99)), max: s(all.max) };
  }

  #schedule(): void {
    this.#timer = this.#clock.setTimeout(() => {
      this.#rotate();
      this.#schedule();
    }, this.#slotMs);
    // A forgotten stop must not keep the process alive for a metric.
    (this.#timer as { unref?: () => void }).unref?.();
  }

  #rotate(): void {
    const slot = createHistogram();
    slot.add(this.#sampler.histogram);
    this.#sampler.histogram.reset();
    this.#past.push(slot);
    while (this.#past.length > this.#slots - 1) this.#past.shift();
  }
}
