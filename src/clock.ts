/**
 * Time is a dependency: everything that reads the time or waits takes a Clock, so tests can use fake
 * timers and jump the wall clock without sleeping.
 */
export interface Clock {
  /** Wall-clock milliseconds since the epoch (may jump when the system clock is changed). */
  now(): number;
  /** Monotonic milliseconds; never jumps. Use for intervals, timeouts and lateness. */
  monotonic(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export type TimerHandle = { readonly __timer: unique symbol } | ReturnType<typeof setTimeout>;

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
