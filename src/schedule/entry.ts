/**
 * Per-watch scheduler state, kept small: a few hundred bytes a watch, about doubled once it has fired
 * (its run callbacks, made once so that runs allocate none).
 * V8 boxes every double stored in an object field (12 bytes each, plus the pointer), and a watch has
 * six timestamps, so they live in one shared Float64Array (48 bytes a watch, no boxes); the object
 * keeps references and small integers only.
 */
import type { Slot, Slotted } from './due-queue.ts';
import type { Schedule } from './triggers.ts';
import type { RunFn } from './types.ts';

/** Column offsets in a row of the table. */
const DUE = 0;
const I_NEXT = 1;
const C_NEXT = 2;
const PREV_CAL = 3;
const PREV_SCHEDULED = 4;
const ANCHOR = 5;
const STRIDE = 6;

/** Rows of six float64 timestamps, reused after a watch is removed. */
export class TimeTable {
  a = new Float64Array(STRIDE * 1024);
  private next = 0;
  private readonly free: number[] = [];

  alloc(): number {
    const row = this.free.pop() ?? this.next++;
    if ((row + 1) * STRIDE > this.a.length) {
      const grown = new Float64Array(this.a.length * 2);
      grown.set(this.a);
      this.a = grown;
    }
    return row;
  }

  release(row: number): void {
    this.free.push(row);
  }
}

export const IDLE = 0;
export const QUEUED = 1;
export const RUNNING = 2;

/** How a run of an entry gives back its slot and reports its end (see Scheduler.hooksOf). */
export interface RunHooks {
  readonly release: () => void;
  readonly settled: () => void;
  readonly failed: (err: unknown) => void;
}

/** One scheduled watch. Timestamps are NaN when absent. */
export class Entry implements Slotted<Entry> {
  slot: Slot<Entry> | null = null;
  /** IDLE, QUEUED or RUNNING: the overlap guard. */
  state = IDLE;
  /** The current run holds one of the scheduler's slots. */
  holdsSlot = false;
  /** Made on the first fire, reused by every later run (one run at a time). */
  hooks: RunHooks | null = null;
  readonly id: string;
  schedule: Schedule;
  run: RunFn;
  private readonly tab: TimeTable;
  private readonly row: number;

  constructor(tab: TimeTable, id: string, schedule: Schedule, run: RunFn, anchorMono: number) {
    this.tab = tab;
    this.row = tab.alloc() * STRIDE;
    this.id = id;
    this.schedule = schedule;
    this.run = run;
    const a = tab.a;
    a[this.row + DUE] = Infinity;
    a[this.row + I_NEXT] = Number.NaN;
    a[this.row + C_NEXT] = Number.NaN;
    a[this.row + PREV_CAL] = Number.NaN;
    a[this.row + PREV_SCHEDULED] = Number.NaN;
    a[this.row + ANCHOR] = anchorMono;
  }

  /** Returns the row to the table; the entry must not be used for timing afterwards. */
  dispose(): void {
    this.tab.release(this.row / STRIDE);
  }

  /** When the entry is next due, monotonic ms (Infinity: never). */
  get dueMono(): number {
    return this.tab.a[this.row + DUE]!;
  }
  set dueMono(v: number) {
    this.tab.a[this.row + DUE] = v;
  }
  /** Next interval fire, monotonic ms. */
  get iNext(): number {
    return this.tab.a[this.row + I_NEXT]!;
  }
  set iNext(v: number) {
    this.tab.a[this.row + I_NEXT] = v;
  }
  /** Next calendar fire, wall ms. */
  get cNext(): number {
    return this.tab.a[this.row + C_NEXT]!;
  }
  set cNext(v: number) {
    this.tab.a[this.row + C_NEXT] = v;
  }
  /** Last calendar time fired, wall ms; guards against re-firing it after a clock step back. */
  get prevCal(): number {
    return this.tab.a[this.row + PREV_CAL]!;
  }
  set prevCal(v: number) {
    this.tab.a[this.row + PREV_CAL] = v;
  }
  /** Last scheduled time fired, wall ms. */
  get prevScheduled(): number {
    return this.tab.a[this.row + PREV_SCHEDULED]!;
  }
  set prevScheduled(v: number) {
    this.tab.a[this.row + PREV_SCHEDULED] = v;
  }
  /** Interval triggers fire at anchor + k·interval, monotonic ms; kept across reloads. */
  get anchorMono(): number {
    return this.tab.a[this.row + ANCHOR]!;
  }
}
