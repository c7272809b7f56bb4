/**
 * Retry timing: exponential backoff with jitter, the shape of
 * Alertmanager's cenkalti/backoff defaults, and the per-action retry deadline.
 */

export const BACKOFF = Object.freeze({
  initialMs: 500,
  multiplier: 1.5,
  /** ±50 %: spreads retries from many watches that failed together. */
  jitter: 0.5,
  capMs: 60_000,
});

/**
 * The wait before the next attempt, after `attempt` attempts failed (1 = after the first failure):
 * 0.5 s × 1.5^(attempt−1), ±50 % jitter, never above 60 s. Without jitter: 0.5, 0.75, 1.125, 1.69 … s.
 * `rng` returns [0, 1) like Math.random; tests pass a seeded one.
 */
export function nextDelay(attempt: number, rng: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(attempt));
  // Math.min before the power would be wrong only past attempt ~20; clamping the exponent keeps it finite.
  const base = Math.min(BACKOFF.capMs, BACKOFF.initialMs * BACKOFF.multiplier ** Math.min(n - 1, 64));
  const factor = 1 - BACKOFF.jitter + 2 * BACKOFF.jitter * rng();
  return Math.round(Math.min(BACKOFF.capMs, base * factor));
}

export const DEADLINE = Object.freeze({ minMs: 10_000, maxMs: 5 * 60_000 });

/**
 * How long an action keeps retrying, from its first attempt: max(10 s, min(throttle_period, 5 min)).
 * No throttle period → 10 s. A notification due again at the next throttle window should not still be
 * retrying the previous one; 10 s keeps a short throttle from making retries pointless.
 */
export function deadlineFor(throttleMs?: number): number {
  const t = throttleMs !== undefined && Number.isFinite(throttleMs) && throttleMs > 0 ? throttleMs : 0;
  return Math.max(DEADLINE.minMs, Math.min(t, DEADLINE.maxMs));
}

/** What the retry window of an entry is read from: its window as decided, else its (first) deadline. */
export interface WindowOf {
  createdAt: number;
  deadline: number;
  windowMs?: number | undefined;
}

/**
 * An entry's retry window (its original one: from the decision to its first deadline, which the outbox
 * keeps as `windowMs` once the deadline moves), within the bounds a window can have: a deadline moved
 * on by a claim or an operator's retry does not make the next window any longer.
 */
export function retryWindow(e: WindowOf): number {
  return Math.max(DEADLINE.minMs, Math.min(e.windowMs ?? e.deadline - e.createdAt, DEADLINE.maxMs));
}

/**
 * The deadline of an entry this process starts delivering at `now` though it did not decide it just now
 * (left by a previous process, handed over or taken over from another daemon): a whole window from now
 * at least. A remainder of the old one (or none) would give a notification that changed hands late one
 * attempt, failed for good by a receiver slow at that moment, though no daemon retried it for a window.
 */
export function deadlineFromNow(e: WindowOf, now: number): number {
  return Math.max(e.deadline, now + retryWindow(e));
}
