/**
 * A controllable {@link Clock} for tests: wall time and monotonic time move together under
 * `advance`, the wall clock alone under `jump` (a system clock change), and timers fire in due order
 * on the monotonic clock, like Node's. Nothing here touches real time except `flush`, which lets
 * pending promise callbacks and I/O run.
 */
import type { Clock, TimerHandle } from '../../src/clock.ts';
import { storeWritesPending } from '../../src/state/sqlite/group-commit.ts';

const ioPending = () => storeWritesPending() || process.getActiveResourcesInfo().some((r) => r.startsWith('FSReq'));

/** The longest a flush waits for pending store writes and file-system requests (real time). */
const FLUSH_LIMIT_MS = 10_000;

/** Node clamps larger delays to 1 ms with a warning; a fake that accepted them would hide that bug. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

interface FakeTimer {
  id: number;
  due: number;
  fn: () => void;
}

export class FakeClock implements Clock {
  private wall: number;
  private mono: number;
  private timers: FakeTimer[] = [];
  private seq = 0;
  /** Every delay ever passed to setTimeout, for assertions on timer arming. */
  readonly delays: number[] = [];

  /**
   * @param start wall-clock start (epoch ms, ISO string or Date); default 2025-01-01T00:00:00Z.
   * @param monotonic monotonic start; default 1 000 000 (not 0, so code that treats 0 as unset shows up).
   */
  constructor(start: number | string | Date = Date.UTC(2025, 0, 1), monotonic = 1_000_000) {
    this.wall = typeof start === 'number' ? start : new Date(start).getTime();
    this.mono = monotonic;
  }

  now(): number {
    return this.wall;
  }

  monotonic(): number {
    return this.mono;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    if (!(ms <= MAX_TIMER_MS)) throw new RangeError(`FakeClock: timer delay ${ms} ms exceeds ${MAX_TIMER_MS} ms`);
    const delay = Math.max(0, ms || 0);
    this.delays.push(delay);
    const timer: FakeTimer = { id: ++this.seq, due: this.mono + delay, fn };
    this.timers.push(timer);
    return timer.id as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    const i = this.timers.findIndex((t) => t.id === (handle as unknown as number));
    if (i >= 0) this.timers.splice(i, 1);
  }

  /** Number of timers waiting. */
  pendingTimers(): number {
    return this.timers.length;
  }

  /** Milliseconds until the next timer is due, or null when none is armed. */
  nextTimerIn(): number | null {
    const t = this.earliest();
    return t ? t.due - this.mono : null;
  }

  /**
   * Moves both clocks forward by `ms`, firing each due timer at its own due time (the clocks read that
   * time while it runs) and letting promise callbacks settle after each one.
   */
  async advance(ms: number): Promise<void> {
    const end = this.mono + ms;
    await this.flush();
    for (;;) {
      const t = this.earliest();
      if (!t || t.due > end) break;
      this.moveTo(t.due);
      this.timers.splice(this.timers.indexOf(t), 1);
      t.fn();
      await this.flush();
    }
    this.moveTo(end);
    await this.flush();
  }

  /** Advances to wall time `epochMs` (ISO string allowed); see {@link advance}. */
  async advanceTo(wall: number | string): Promise<void> {
    const target = typeof wall === 'number' ? wall : new Date(wall).getTime();
    await this.advance(Math.max(0, target - this.wall));
  }

  /**
   * Moves both clocks forward by `ms` without firing timers, as when the event loop is blocked or the
   * process is paused; overdue timers fire on the next `advance` (use `advance(0)`).
   */
  block(ms: number): void {
    this.moveTo(this.mono + ms);
  }

  /** Sets the wall clock by `deltaMs` (negative = backwards) without moving monotonic time or firing timers. */
  jump(deltaMs: number): void {
    this.wall += deltaMs;
  }

  /**
   * Lets pending promise callbacks and real file-system work run: the state store's commits are paced
   * in real time and resolve only after an fsync on the libuv pool, so a flush also waits (turn by turn,
   * bounded) until no store write and no file-system request is pending, then lets the callbacks that
   * follow run.
   */
  async flush(): Promise<void> {
    // Bounded in real time, not in turns: on a busy machine an fsync (and the commit held behind a
    // checkpoint) can take longer than any number of quick turns, and a flush that gave up early let
    // the next timer fire before the write it was waiting for. Past the first turns, poll without spinning.
    const deadline = performance.now() + FLUSH_LIMIT_MS;
    for (let turns = 0; performance.now() < deadline; turns++) {
      await new Promise<void>((resolve) => (turns < 1_000 ? setImmediate(resolve) : setTimeout(resolve, 1)));
      if (turns >= 2 && !ioPending()) {
        for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
        if (!ioPending()) return;
      }
    }
  }

  private earliest(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.timers) if (!best || t.due < best.due || (t.due === best.due && t.id < best.id)) best = t;
    return best;
  }

  private moveTo(mono: number): void {
    if (mono <= this.mono) return;
    this.wall += mono - this.mono;
    this.mono = mono;
  }
}
