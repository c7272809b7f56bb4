/**
 * Per-run state: local variable slots, the step and allocation budgets, and the return value.
 * One Env is created per run(); nothing is shared between runs, so a compiled script is reentrant.
 */
import { rtError } from './values.ts';

/** Budgets for one run. Both defaults stop `while (true) {}` and a 10⁸-element list well within 100 ms. */
export interface Budget {
  /** Loop iterations, lambda calls and per-element library work. Default 1,000,000 (Painless' own loop limit). */
  maxSteps: number;
  /** Elements and characters allocated (list/map entries, string characters). Default 5,000,000. */
  maxAlloc: number;
}

export const DEFAULT_BUDGET: Budget = { maxSteps: 1_000_000, maxAlloc: 5_000_000 };

export class Env {
  readonly slots: unknown[];
  steps = 0;
  alloc = 0;
  readonly maxSteps: number;
  readonly maxAlloc: number;
  /** Set when a non-JSON value (a boxed double, a date, a Set…) may have been stored inside a container. */
  boxed = false;
  ret: unknown = null;
  constructor(slotCount: number, budget: Budget) {
    this.slots = new Array(slotCount).fill(null);
    this.maxSteps = budget.maxSteps;
    this.maxAlloc = budget.maxAlloc;
  }

  step(n = 1): void {
    if ((this.steps += n) > this.maxSteps) {
      throw rtError(`script exceeded its step budget of ${this.maxSteps} (loop iterations and calls)`, true);
    }
  }

  allocate(n: number): void {
    if ((this.alloc += n) > this.maxAlloc) {
      throw rtError(`script exceeded its allocation budget of ${this.maxAlloc} elements/characters`, true);
    }
  }
}
