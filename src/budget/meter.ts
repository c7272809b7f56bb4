/**
 * The work meter for one evaluation of a user-supplied script or template: counts work units and
 * created characters/elements against their limits, and reads the clock now and then as a wall-time
 * backstop (work units are the deterministic limit; the clock bounds units that turn out expensive on a
 * slow or loaded machine). Measured time is reported to turns.ts so that many bounded evaluations in a
 * row still give the event loop back.
 */
import { cpuMillis } from './cpu.ts';
import { noteHeld } from './turns.ts';

/** Limits for one evaluation. */
export interface Limits {
  /** Work units (what a unit is depends on the engine; each documents it). */
  maxSteps: number;
  /** Characters and elements the evaluation may create (or, for a template, output). */
  maxAlloc: number;
  /** Time backstop: milliseconds of the main thread's CPU time, from the first clock check. */
  maxMillis: number;
  /**
   * Monotonic milliseconds, read every CHECK_EVERY units (default performance.now). Injected by tests,
   * where it also stands for the CPU time.
   */
  now?: () => number;
  /** CPU milliseconds (default: `now` when it is given, else cpu.ts); injectable for tests. */
  cpu?: () => number;
}

/** Which limit ran out. */
export type Exhausted = 'steps' | 'alloc' | 'time';

/** Work units between two clock checks: reading the clock costs about as much as one unit of work. */
const CHECK_EVERY = 128;

const monotonicNow = (): number => performance.now();

/**
 * The time limit is on CPU time (cpu.ts), checked cheaply: the wall clock is read often, and only when
 * it passes the deadline is the CPU time read. If the thread was off the CPU for part of that time, the
 * deadline moves on by what is left of the limit.
 */
export class Meter {
  steps = 0;
  alloc = 0;
  readonly limits: Limits;
  readonly #now: () => number;
  readonly #cpu: () => number;
  readonly #fail: (what: Exhausted) => Error;
  #nextCheck: number;
  /** Set at the first clock check, so a short evaluation never reads the clock. */
  #deadline = -1;
  #last = -1;
  #cpuStart = 0;
  #failed: Error | null = null;

  /** `fail` builds the engine's own error for the limit that ran out; the meter throws it. */
  constructor(limits: Limits, fail: (what: Exhausted) => Error) {
    this.limits = limits;
    this.#now = limits.now ?? monotonicNow;
    this.#cpu = limits.cpu ?? limits.now ?? cpuMillis;
    this.#fail = fail;
    this.#nextCheck = Math.min(limits.maxSteps, CHECK_EVERY);
  }

  /** Starts a new evaluation (a meter is reused so that metering a short evaluation allocates nothing). */
  reset(): void {
    this.steps = 0;
    this.alloc = 0;
    this.#deadline = -1;
    this.#last = -1;
    this.#failed = null;
    this.#nextCheck = Math.min(this.limits.maxSteps, CHECK_EVERY);
  }

  /**
   * The error of the limit that ran out, if one did. Once a limit has run out every further count throws
   * the same error again: engines that absorb errors (CEL's `all`, `exists`, `||`) then stop at their
   * next count instead of doing the rest of their work, and the caller still sees the failure.
   */
  get failed(): Error | null {
    return this.#failed;
  }

  /** Counts `n` units of work. */
  step(n = 1): void {
    if ((this.steps += n) >= this.#nextCheck) this.#check();
  }

  /**
   * Counts `n` created characters or elements. Creating them is work too: callers count that with
   * `step`, weighted by what an element costs in their engine.
   */
  allocate(n: number): void {
    if (this.#failed) throw this.#failed;
    if ((this.alloc += n) > this.limits.maxAlloc) throw this.#stop('alloc');
  }

  /** Reads the clock now, whatever the count (before and after a single expensive operation). */
  checkTime(): void {
    this.#check();
  }

  #check(): void {
    if (this.#failed) throw this.#failed;
    if (this.steps > this.limits.maxSteps) throw this.#stop('steps');
    const t = this.#now();
    if (this.#deadline < 0) {
      this.#deadline = t + this.limits.maxMillis;
      this.#cpuStart = this.#cpu();
    } else noteHeld(t - this.#last);
    this.#last = t;
    this.#nextCheck = Math.min(this.limits.maxSteps + 1, this.steps + CHECK_EVERY);
    if (t > this.#deadline) {
      const used = this.#cpu() - this.#cpuStart;
      if (used >= this.limits.maxMillis) throw this.#stop('time');
      this.#deadline = t + (this.limits.maxMillis - used);
    }
  }

  #stop(what: Exhausted): Error {
    this.#failed ??= this.#fail(what);
    // Every later count comes back to #check, which throws the same error.
    this.#nextCheck = -Infinity;
    return this.#failed;
  }
}
