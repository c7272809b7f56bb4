/**
 * What health learns from the daemon's own work as it happens, without any I/O: which watches failed
 * their last runs in a row, which actions' deliveries are failing, and which watches name a cluster
 * that is not configured. Each keeps only what is wrong now, so it is bounded by the loaded watches.
 */

/** A watch whose recent scheduled runs all failed. */
export interface FailingWatch {
  tenant: string;
  watch: string;
  consecutive: number;
  /** The last failure's status code and message (no secret: run errors are scrubbed where they arise). */
  code: string;
  /** The underlying error's code (INDEX_FORBIDDEN, SCRIPT_BUDGET_EXCEEDED…), when the run recorded one. */
  cause?: string;
  error: string;
  since: number;
}

const key = (tenant: string, watch: string) => `${tenant}/${watch}`;

/** Consecutive failed runs per watch: a run that fails adds one, a run that does not clears it. */
export class RunTracker {
  readonly #failing = new Map<string, FailingWatch>();

  /** `failed`: the run's status code and message when it failed (a check, or an action's delivery), else null. */
  record(tenant: string, watch: string, failed: { code: string; cause?: string; error: string } | null, at: number): void {
    const k = key(tenant, watch);
    if (!failed) return void this.#failing.delete(k);
    const f = this.#failing.get(k);
    this.#failing.set(k, { tenant, watch, consecutive: (f?.consecutive ?? 0) + 1, ...failed, since: f?.since ?? at });
  }

  forget(tenant: string, watch: string): void {
    this.#failing.delete(key(tenant, watch));
  }

  /** Watches whose last `n` runs or more failed. */
  failing(n: number): FailingWatch[] {
    return [...this.#failing.values()].filter((f) => f.consecutive >= n);
  }
}

/** An action whose last delivery failed. */
export interface FailingDelivery {
  tenant: string;
  watch: string;
  action: string;
  type: string;
  destination: string;
  code: string;
  error: string;
  at: number;
}

/** The last failed delivery per action, until a delivery of that action succeeds or the window passes. */
export class DeliveryTracker {
  readonly #failed = new Map<string, FailingDelivery>();

  delivered(tenant: string, watch: string, action: string): void {
    this.#failed.delete(`${key(tenant, watch)}/${action}`);
  }

  failed(f: FailingDelivery): void {
    const k = `${key(f.tenant, f.watch)}/${f.action}`;
    // Most recent last, so that pruning stops at the first recent one.
    this.#failed.delete(k);
    this.#failed.set(k, f);
  }

  forgetWatch(tenant: string, watch: string): void {
    const prefix = `${key(tenant, watch)}/`;
    for (const k of this.#failed.keys()) if (k.startsWith(prefix)) this.#failed.delete(k);
  }

  /** Failures since `since` (older ones are dropped). */
  recent(since: number): FailingDelivery[] {
    for (const [k, f] of this.#failed) {
      if (f.at >= since) break;
      this.#failed.delete(k);
    }
    return [...this.#failed.values()];
  }
}

/** A watch that names a cluster this node does not configure: where, and what the check says. */
export interface ClusterNeed {
  tenant: string;
  watch: string;
  problems: Array<[path: string, message: string]>;
}

/** Watches that need a cluster that is not configured, as they are loaded and removed. */
export class ClusterNeeds {
  readonly #needs = new Map<string, ClusterNeed>();

  set(tenant: string, watch: string, problems: Array<[string, string]> | null): void {
    if (problems?.length) this.#needs.set(key(tenant, watch), { tenant, watch, problems });
    else this.#needs.delete(key(tenant, watch));
  }

  all(): ClusterNeed[] {
    return [...this.#needs.values()];
  }

  get size(): number {
    return this.#needs.size;
  }
}
