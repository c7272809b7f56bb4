/**
 * Fair turns of the event loop for user-supplied work (scripts, templates).
 *
 * Each script or template evaluation is bounded on its own, but one watch run may evaluate many of them
 * back to back (checks, severity, one render per foreach item), and runs started by the same scheduler
 * tick continue one another through promise callbacks without the event loop ever turning. Meters
 * report the time they measure here. Once the loop has been held for `SLICE_MS` of such work,
 * `yieldPoint()` makes the next caller wait: the loop then gets `GAP_MS` without metered work (an HTTP
 * request needs a few turns of the loop, not one), and waiters are resumed one at a time, one per gap.
 * Ordinary watches never measure that much and never wait.
 */

/** Milliseconds of metered work after which the next yield point gives the loop back. */
export const SLICE_MS = 10;
/** Milliseconds the loop then gets without metered work before the next waiter resumes. */
export const GAP_MS = 10;

/** Metered work since the last turn. */
let held = 0;
/** No waiter resumes (and no new work starts) before this time (performance.now), after a slice. */
let coolUntil = 0;
let armed = false;
const waiting: Array<() => void> = [];

/** Runs after metered work, and while someone waits: ends a slice with a gap, or resumes one waiter. */
function turn(): void {
  armed = false;
  const now = performance.now();
  if (held >= SLICE_MS) coolUntil = now + GAP_MS;
  held = 0;
  const next = now >= coolUntil ? waiting.shift() : undefined;
  if (waiting.length > 0) arm(Math.max(0, coolUntil - now));
  next?.();
}

function arm(delay = 0): void {
  if (armed) return;
  armed = true;
  if (delay > 0) setTimeout(turn, delay);
  else setImmediate(turn);
}

/** A meter reports `ms` of work done since its last report. */
export function noteHeld(ms: number): void {
  held += ms;
  arm();
}

/**
 * Awaited before evaluating user scripts or templates: resolves at once (no promise) in the common case,
 * or, after a slice of work, once the loop has had its gap and the earlier waiters have had their turn.
 */
export function yieldPoint(): Promise<void> | undefined {
  if (held < SLICE_MS && waiting.length === 0 && (coolUntil === 0 || performance.now() >= coolUntil)) return undefined;
  return new Promise<void>((resolve) => {
    waiting.push(resolve);
    arm();
  });
}

/** For tests: the work measured since the last turn, in ms. */
export function heldMs(): number {
  return held;
}
