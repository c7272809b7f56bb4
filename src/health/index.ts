/**
 * The node's health: what its own work shows (runs failing, deliveries failing, watches naming a
 * cluster that is not configured), what background probes find (clusters, the state store, the
 * outbox), and where the daemon is in its life (watches loaded, API bound, stopping). `report()` and
 * `readiness()` only read what is known: a health request never waits for I/O.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { Metrics } from '../metrics.ts';
import type { VigilConfig } from '../config/schema.ts';
import { assess, type DeadmanStatus, type HealthReason, type HealthStatus, type MembershipStatus } from './report.ts';
import { Prober, type ProbeTargets } from './probes.ts';
import { ClusterNeeds, DeliveryTracker, RunTracker } from './trackers.ts';

export type { DeadmanStatus, HealthReason, HealthStatus, MembershipStatus } from './report.ts';

export interface HealthOptions extends ProbeTargets {
  /** Which state backend `store` is (named in the report's `state_store`). */
  storeBackend: 'sqlite' | 'cluster';
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  config: VigilConfig['health'];
  /** True while the overload monitor says delivery is saturated. */
  overloaded(): boolean;
  /** Watch files that failed validation. */
  invalidWatches(): number;
  /** The dead-man switch's state, when one is configured. */
  deadman?: () => DeadmanStatus;
  /** Several daemons on the cluster backend: this daemon's membership. */
  membership?: () => MembershipStatus;
}

/** A finished run as health sees it (the watch-log record's relevant fields). */
export interface RunSeen {
  tenant: string;
  watch_id: string;
  status: { code: string };
  /** `detail`: the underlying error's code (INDEX_FORBIDDEN, SCRIPT_BUDGET_EXCEEDED, a delivery's failure code…) when the run recorded one. */
  error?: { message: string; detail?: unknown } | null;
  actions: Array<{ status: { code: string }; error?: { message: string; detail?: unknown } | null }>;
}

/** A finished delivery as health sees it. */
export interface DeliverySeen {
  tenant: string;
  watchId: string;
  action: string;
  actionType: string;
  destination: string;
  outcome: { status: 'delivered' | 'failed'; code?: string | undefined; error?: string | undefined };
}

export interface HealthReport {
  status: HealthStatus;
  reasons: HealthReason[];
  clusters: Record<string, { reachable: boolean; error?: string; since: string; checked_at: string }>;
  outbox: { pending: number; oldest_pending_since: string | null } | null;
  /** What the last check of the state store found; null before the first one. */
  state_store: StateStoreReport | null;
}

export interface StateStoreReport {
  backend: 'sqlite' | 'cluster';
  /** Whether it answered its last check (the cluster backend: its cluster takes writes). */
  healthy: boolean;
  /** The write queue is at `state.queue_limit`: no run starts. */
  full: boolean;
  /** Writes held until the cluster acknowledges them (always 0 for SQLite). */
  queued_writes: number;
  /** Why it cannot be used (never a credential). */
  error?: string;
  checked_at: string;
}

export interface Readiness {
  ready: boolean;
  /** Why not, one line each. */
  reasons: string[];
}

/** Error texts kept for the report are cut here: a report stays small. */
const MAX_ERROR = 300;
const cut = (s: string) => (s.length > MAX_ERROR ? `${s.slice(0, MAX_ERROR)}…` : s);
const iso = (ms: number) => new Date(ms).toISOString();

export class Health {
  readonly #o: HealthOptions;
  readonly #runs = new RunTracker();
  readonly #deliveries = new DeliveryTracker();
  /** Watches that name a cluster this node does not configure. */
  readonly needs = new ClusterNeeds();
  readonly #prober: Prober;
  #started = false;
  #listening = false;
  #stopping = false;

  constructor(o: HealthOptions) {
    this.#o = o;
    this.#prober = new Prober({
      clusters: o.clusters,
      store: o.store,
      ...(o.writeQueue ? { writeQueue: o.writeQueue } : {}),
      clock: o.clock,
      logger: o.logger,
      intervalMs: o.config.probe_interval_ms,
      timeoutMs: o.config.probe_timeout_ms,
      onResults: (r) => {
        for (const [cluster, c] of r.clusters) o.metrics.clusterUp.set({ cluster }, c.reachable ? 1 : 0);
        if (r.store) {
          o.metrics.stateStoreHealthy.set(r.store.ok ? 1 : 0);
          o.metrics.stateStoreQueued.set(r.store.writes?.queued ?? 0);
        }
        if (r.outbox) {
          o.metrics.outboxPending.set(r.outbox.pending);
          o.metrics.outboxOldestAge.set(r.outbox.oldestPendingAt === null ? 0 : Math.max(0, o.clock.now() - r.outbox.oldestPendingAt) / 1000);
        }
        o.metrics.healthStatus.set(['green', 'yellow', 'red'].indexOf(this.report().status));
      },
    });
  }

  /** A scheduled run ended (manual executions do not count: their input is anyone's). */
  runEnded(r: RunSeen): void {
    let failed: { code: string; cause?: string; error: string } | null = null;
    if (r.status.code === 'EXECUTION_FAILED') failed = { code: r.status.code, ...causeOf(r.error), error: cut(r.error?.message ?? 'a check failed') };
    else if (r.status.code === 'ACTION_FAILED') {
      const a = r.actions.find((x) => x.status.code === 'ACTION_FAILED');
      failed = { code: r.status.code, ...causeOf(a?.error), error: cut(a?.error?.message ?? 'a delivery failed') };
    }
    this.#runs.record(r.tenant, r.watch_id, failed, this.#o.clock.now());
  }

  /** A delivery ended: a failure is remembered until a delivery of the same action succeeds or the window passes. */
  deliveryEnded(d: DeliverySeen): void {
    if (d.outcome.status === 'delivered') return this.#deliveries.delivered(d.tenant, d.watchId, d.action);
    // Discarded by an operator: not the destination's doing.
    if (d.outcome.code === 'CANCELLED') return;
    this.#deliveries.failed({
      tenant: d.tenant,
      watch: d.watchId,
      action: d.action,
      type: d.actionType,
      destination: d.destination,
      code: d.outcome.code ?? 'UNKNOWN',
      error: cut(d.outcome.error ?? ''),
      at: this.#o.clock.now(),
    });
  }

  /** A watch was loaded (its problems naming clusters not configured, if any) or removed (null). */
  watchChanged(tenant: string, watch: string, missingClusters: Array<[string, string]> | null): void {
    this.needs.set(tenant, watch, missingClusters);
    if (missingClusters === null) {
      this.#runs.forget(tenant, watch);
      this.#deliveries.forgetWatch(tenant, watch);
    }
  }

  /**
   * The background probes start. Resolves once the state store was checked (readiness needs it); the
   * clusters' first answers come in the background, so a cluster that is down does not hold the start.
   */
  async start(): Promise<void> {
    await this.#prober.checkStore();
    this.#prober.start();
  }

  /**
   * Checks the state store now rather than at the next round: the store reported a change itself (its
   * cluster stopped or started taking writes, its write queue filled or has room again).
   */
  checkStore(): Promise<void> {
    return this.#prober.checkStore();
  }

  /** The watches are loaded and scheduling has begun. */
  markStarted(): void {
    this.#started = true;
  }

  markListening(): void {
    this.#listening = true;
  }

  /** SIGTERM: no longer ready, whatever else holds. */
  markStopping(): void {
    this.#stopping = true;
  }

  stop(): Promise<void> {
    return this.#prober.stop();
  }

  report(): HealthReport {
    const now = this.#o.clock.now();
    const probes = this.#prober.results;
    const { status, reasons } = assess({
      now,
      started: this.#started,
      probes,
      failingWatches: this.#runs.failing(this.#o.config.failing_runs),
      clusterNeeds: this.needs.all(),
      invalidWatches: this.#o.invalidWatches(),
      overloaded: this.#o.overloaded(),
      outboxMaxAgeMs: this.#o.config.outbox_max_age_ms,
      failingDeliveries: this.#deliveries.recent(now - this.#o.config.delivery_failure_window_ms),
      deadman: this.#o.deadman?.() ?? null,
      membership: this.#o.membership?.() ?? null,
    });
    const clusters: HealthReport['clusters'] = {};
    for (const [name, c] of probes.clusters) clusters[name] = { reachable: c.reachable, ...(c.error ? { error: c.error } : {}), since: iso(c.since), checked_at: iso(c.checkedAt) };
    const outbox = probes.outbox && { pending: probes.outbox.pending, oldest_pending_since: probes.outbox.oldestPendingAt === null ? null : iso(probes.outbox.oldestPendingAt) };
    const s = probes.store;
    const state_store: StateStoreReport | null = s && {
      backend: this.#o.storeBackend,
      healthy: s.ok,
      full: s.writes?.full ?? false,
      queued_writes: s.writes?.queued ?? 0,
      ...(s.error ? { error: s.error } : {}),
      checked_at: iso(s.checkedAt),
    };
    return { status, reasons, clusters, outbox, state_store };
  }

  /** Ready for traffic: watches loaded, the state store usable, the API bound, not stopping. */
  readiness(): Readiness {
    const reasons: string[] = [];
    if (this.#stopping) reasons.push('stopping');
    if (!this.#started) reasons.push('the watches are not loaded yet');
    if (!this.#listening) reasons.push('the API is not bound to its address yet');
    const store = this.#prober.results.store;
    if (!store) reasons.push('the state store has not been checked yet');
    else if (!store.ok) reasons.push(`the state store cannot be used: ${store.error}`);
    return { ready: reasons.length === 0, reasons };
  }
}

/** The underlying error's code a run recorded (`error.detail`), when it is one: an operator looks it up in troubleshooting.md. */
function causeOf(error: { detail?: unknown } | null | undefined): { cause?: string } {
  const d = error?.detail;
  return typeof d === 'string' && /^[A-Z][A-Z0-9_]{0,63}$/.test(d) ? { cause: d } : {};
}
