/**
 * Fair turns of the event loop for user-supplied work (scripts, templates).
 *
 * Each script or template evaluation is bounded on its own, but one watch run may evaluate many of them
 * back to back (checks, severity, one render per foreach item), and runs started by the same scheduler
 * tick continue one another through promise callbacks without the event loop ever turning. Meters
 * report the time they measured here; once the loop has been held for `SLICE_MS` without turning,
 * `yieldPoint()` makes the caller wait for a later turn, and waiters are resumed one per turn, so the
 * API, timers and I/O get the loop between any two of them. Ordinary watches never measure that much
 * and never wait.
 */

/** Milliseconds of metered work after which the next yield point gives the loop back. */
export const SLICE_MS = 10;

let held = 0;
let armed = false;
const waiting: Array<() => void> = [];

/** Runs once per loop turn in which work was metered or someone waits: a new slice, one waiter resumed. */
function turn(): void {
  armed = false;
  held = 0;
  const next = waiting.shift();
  if (waiting.length > 0) arm();
  next?.();
}

function arm(): void {
  if (armed) return;
  armed = true;
  setImmediate(turn);
}

/** A meter reports `ms` of work done since its last report. */
export function noteHeld(ms: number): void {
  held += ms;
  arm();
}

/** True when the loop has been held long enough that the next piece of user work should wait. */
export function mustYield(): boolean {
  return held >= SLICE_MS;
}

/**
 * Awaited before evaluating user scripts or templates: resolves at once (no promise) in the common case,
 * or after a later turn of the event loop when the current one has been held for a slice already.
 */
export function yieldPoint(): Promise<void> | undefined {
  if (held < SLICE_MS) return undefined;
  return new Promise<void>((resolve) => {
    waiting.push(resolve);
    arm();
  });
}

/** For tests: the slice so far, in ms. */
export function heldMs(): number {
  return held;
}
