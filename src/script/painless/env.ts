/**
 * Per-run state: local variable slots, the step and allocation budgets, and the return value.
 * One Env is created per run(); nothing is shared between runs, so a compiled script is reentrant.
 */
import { rtError } from './values.ts';
import { noteHeld } from '../../budget/turns.ts';
import { cpuMillis } from '../../budget/cpu.ts';

/** Budgets for one run. Both defaults stop `while (true) {}` and a 10⁸-element list well within 100 ms. */
export interface Budget {
  /** Loop iterations, lambda calls and per-element library work. Default 1,000,000 (Painless' own loop limit). */
  maxSteps: number;
  /** Elements and characters allocated (list/map entries, string characters). Default 5,000,000. */
  maxAlloc: number;
  /**
   * Time safety net in milliseconds of the main thread's CPU time, checked every 1,024 steps (default
   * 25 ms): steps are the deterministic limit, this one bounds scripts whose steps are unusually
   * expensive on a slow machine. Time the process spends off the CPU does not count.
   */
  maxMillis?: number;
  /** Monotonic milliseconds for maxMillis (default performance.now, confirmed by CPU time); injectable for tests. */
  now?: () => number;
}

export const DEFAULT_BUDGET: Budget = { maxSteps: 1_000_000, maxAlloc: 5_000_000, maxMillis: 25 };

const monotonicNow = (): number => performance.now();

/** Steps between two checks of the step limit and the clock. */
const CHECK_EVERY = 1024;

export class Env {
  readonly slots: unknown[];
  steps = 0;
  alloc = 0;
  readonly maxSteps: number;
  readonly maxAlloc: number;
  private readonly maxMillis: number;
  private readonly now: () => number;
  private readonly cpu: () => number;
  private cpuStart = 0;
  private nextCheck: number;
  /** Set at the first check, so a short run never reads the clock. */
  private deadline = -1;
  private last = -1;
  /** Set when a non-JSON value (a boxed double, a date, a Set…) may have been stored inside a container. */
  boxed = false;
  ret: unknown = null;
  constructor(slotCount: number, budget: Budget) {
    const slots: unknown[] = [];
    for (let i = 0; i < slotCount; i++) slots.push(null);
    this.slots = slots;
    this.maxSteps = budget.maxSteps;
    this.maxAlloc = budget.maxAlloc;
    this.maxMillis = budget.maxMillis ?? Infinity;
    this.now = budget.now ?? monotonicNow;
    this.cpu = budget.now ?? cpuMillis;
    this.nextCheck = Math.min(this.maxSteps, CHECK_EVERY);
  }

  step(n = 1): void {
    if ((this.steps += n) > this.nextCheck) this.check();
  }

  private check(): void {
    if (this.steps > this.maxSteps) {
      throw rtError(`script exceeded its step budget of ${this.maxSteps} (loop iterations and calls)`, true);
    }
    if (this.maxMillis !== Infinity) {
      const t = this.now();
      if (this.deadline < 0) {
        this.deadline = t + this.maxMillis;
        this.cpuStart = this.cpu();
      } else {
        // Long runs are reported, so that the run that follows gives the event loop back (turns.ts).
        noteHeld(t - this.last);
        if (t > this.deadline) {
          // The wall clock says the limit may be reached; CPU time decides (see budget/meter.ts).
          const used = this.cpu() - this.cpuStart;
          if (used >= this.maxMillis) throw rtError(`script exceeded its time budget of ${this.maxMillis} ms`, true);
          this.deadline = t + (this.maxMillis - used);
        }
      }
      this.last = t;
    }
    this.nextCheck = Math.min(this.maxSteps, this.steps + CHECK_EVERY);
  }

  allocate(n: number): void {
    if ((this.alloc += n) > this.maxAlloc) {
      throw rtError(`script exceeded its allocation budget of ${this.maxAlloc} elements/characters`, true);
    }
  }
}
