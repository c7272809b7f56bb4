import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { systemClock, type Clock } from './clock.ts';
import { LoopDelayWindow, type LoopDelayWindowOptions } from './loop-delay.ts';

/**
 * The daemon's metrics (Prometheus text at `GET /metrics`), the catalogue docs/metrics.md documents.
 * One instance per app, never global, so tests that build several apps in one process do not share
 * counters. Labels are bounded: no label takes a watch id, an action name or anything else users create
 * by the thousand; tenants (which operators create) are counted up to MAX_TENANT_LABELS, the rest as
 * `_other`.
 */
export function createMetrics(opts: { defaultMetrics?: boolean; clock?: Clock; loopDelay?: Omit<LoopDelayWindowOptions, 'clock'> } = {}) {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'vigil_' });
  // Figures other parts keep themselves, read when scraped (bound once the app is built).
  let sources: MetricSources | null = null;
  const tenants = boundedLabel(MAX_TENANT_LABELS);
  const loop = new LoopDelayWindow({ clock: opts.clock ?? systemClock, ...opts.loopDelay });
  const seconds = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
  const m = {
    /** Reads the scheduler's counters and the delivery backlog at every scrape. */
    bind(s: MetricSources): void {
      sources = s;
    },
    /** The tenant label of a tenant: its name, or `_other` past the first MAX_TENANT_LABELS seen. */
    tenant: tenants,
    /** Starts sampling event-loop delay (a daemon does; embedded uses need not). */
    watchEventLoop(): void {
      loop.start();
    },
    /** Stops the sampler (the daemon's stop). */
    close(): void {
      loop.stop();
    },
    registry,
    watchRuns: new Counter({ name: 'vigil_watch_runs_total', help: 'Watch runs by final status and tenant (scheduled and executed through the API)', labelNames: ['status', 'tenant'], registers: [registry] }),
    checkDuration: new Histogram({ name: 'vigil_check_duration_seconds', help: 'Time a check took, by check type (a failed check included)', labelNames: ['type'], buckets: seconds, registers: [registry] }),
    deliveries: new Counter({ name: 'vigil_deliveries_total', help: 'Finished deliveries by action type and outcome (delivered, failed, cancelled)', labelNames: ['type', 'outcome'], registers: [registry] }),
    deliveryAttempts: new Counter({ name: 'vigil_delivery_attempts_total', help: 'Delivery attempts by action type', labelNames: ['type'], registers: [registry] }),
    deliveryDuration: new Histogram({
      name: 'vigil_delivery_attempt_duration_seconds',
      help: 'Time one delivery attempt took (its send, once it had a slot for its destination), by action type and whether it succeeded',
      labelNames: ['type', 'outcome'],
      buckets: seconds,
      registers: [registry],
    }),
    overloaded: new Gauge({
      name: 'vigil_overloaded',
      help: '1 while the daemon is overloaded: delivery saturated, the scheduler holding fires back (until it has had room for 10 s)',
      registers: [registry],
    }),
    outboxBacklog: new Gauge({
      name: 'vigil_outbox_backlog',
      help: 'Notifications held by delivery: being sent, waiting for their destination, or between retries',
      registers: [registry],
      collect() {
        if (sources) this.set(sources.backlog());
      },
    }),
    outboxPending: new Gauge({ name: 'vigil_outbox_pending', help: 'Notifications pending in the outbox (the state store), as of the last health probe', registers: [registry] }),
    outboxOldestAge: new Gauge({ name: 'vigil_outbox_oldest_pending_age_seconds', help: 'Age of the oldest pending notification in the outbox at the last health probe (0 when none)', registers: [registry] }),
    schedulerDeferred: new Counter({
      name: 'vigil_scheduler_deferred_total',
      help: 'Fires that waited past their time because delivery was saturated or the run queue was full',
      registers: [registry],
      collect() {
        if (!sources) return;
        this.reset();
        this.inc(sources.scheduler().deferred);
      },
    }),
    schedulerMisfires: new Counter({
      name: 'vigil_scheduler_misfires_total',
      help: 'Fires later than the misfire threshold (run once or skipped, as the watch when_late says)',
      registers: [registry],
      collect() {
        if (!sources) return;
        this.reset();
        this.inc(sources.scheduler().misfires);
      },
    }),
    triggerLateness: new Histogram({
      name: 'vigil_trigger_lateness_seconds',
      help: 'Start of a scheduled run minus its scheduled time',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    watchesLoaded: new Gauge({ name: 'vigil_watches_loaded', help: 'Valid watches scheduled', registers: [registry] }),
    watchesOwned: new Gauge({ name: 'vigil_watches_owned', help: 'Valid watches this daemon schedules (with several daemons: those it owns)', registers: [registry] }),
    runClaimsLost: new Counter({
      name: 'vigil_run_claims_lost_total',
      help: 'Runs dropped because another daemon had run their scheduled time already (several daemons; each at debug level in the log)',
      registers: [registry],
    }),
    watchesInvalid: new Gauge({ name: 'vigil_watches_invalid', help: 'Watch files that failed validation', registers: [registry] }),
    watchesClusterNotConfigured: new Gauge({ name: 'vigil_watches_cluster_not_configured', help: 'Loaded watches that name a cluster this node does not configure', registers: [registry] }),
    stateStoreHealthy: new Gauge({
      name: 'vigil_state_store_healthy',
      help: '1 when the state store answered its last health check; 0 when it did not (the cluster backend: its cluster does not take writes)',
      registers: [registry],
    }),
    stateStoreQueued: new Gauge({
      name: 'vigil_state_store_queued_writes',
      help: 'Writes the cluster state store held in memory until the cluster acknowledged them, at the last health check',
      registers: [registry],
    }),
    stateCheckpoints: new Histogram({
      name: 'vigil_state_checkpoint_seconds',
      help: 'Checkpoints of the state database (write-ahead log into the database file, off the event loop)',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    stateCommit: new Histogram({
      name: 'vigil_state_commit_seconds',
      help: "Time a run's commit to the state store took until durable (its decision and notifications, or its outcome and log record)",
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    schedulerSkipped: new Counter({
      name: 'vigil_scheduler_skipped_total',
      help: 'Fires not run: overlap (the previous run of the watch was still in progress), late (missed by more than the misfire threshold under when_late SKIP)',
      labelNames: ['reason'],
      registers: [registry],
      collect() {
        if (!sources) return;
        const st = sources.scheduler();
        this.reset();
        this.inc({ reason: 'overlap' }, st.skippedOverlap);
        this.inc({ reason: 'late' }, st.skippedLate);
      },
    }),
    clusterErrors: new Counter({
      name: 'vigil_cluster_request_errors_total',
      help: 'Failed requests to a configured cluster (searches, counts, index actions), by cluster and kind: unavailable (network, timeout, 5xx), rejected (4xx), too_large (response over its cap), other',
      labelNames: ['cluster', 'kind'],
      registers: [registry],
    }),
    clusterUp: new Gauge({ name: 'vigil_cluster_up', help: '1 when a configured cluster answered the last health probe, else 0', labelNames: ['cluster'], registers: [registry] }),
    eventLoopDelay: new Gauge({
      name: 'vigil_event_loop_delay_seconds',
      help: 'Event-loop delay over the last minute (a rolling window, the same for every scraper): its median, 99th percentile and maximum',
      labelNames: ['quantile'],
      registers: [registry],
      collect() {
        if (!loop.running) return;
        const r = loop.read();
        this.set({ quantile: '0.5' }, r.p50);
        this.set({ quantile: '0.99' }, r.p99);
        this.set({ quantile: '1' }, r.max);
      },
    }),
    healthStatus: new Gauge({ name: 'vigil_health_status', help: 'The /_vigil/health status at the last health probe: 0 green, 1 yellow, 2 red', registers: [registry] }),
    deadmanHeartbeats: new Counter({ name: 'vigil_deadman_heartbeats_total', help: 'Dead-man switch heartbeats by outcome (sent, failed)', labelNames: ['outcome'], registers: [registry] }),
    deadmanLastSuccess: new Gauge({ name: 'vigil_deadman_last_success_timestamp_seconds', help: 'When the dead-man switch last got its heartbeat through (Unix time; 0: never)', registers: [registry] }),
    authFailures: new Counter({
      name: 'vigil_auth_failures_total',
      help: 'API requests not authenticated, by reason: credentials (missing, wrong or invalid), blocked (over a failure limit), busy (too many password checks in flight)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    auditFolded: new Counter({
      name: 'vigil_audit_failed_logins_folded_total',
      help: 'Failed logins from a blocked client address summed into one audit row per address instead of a row each',
      registers: [registry],
    }),
  };
  return m;
}

/** Tenants given a label value of their own; later ones share `_other`. */
export const MAX_TENANT_LABELS = 100;

/** A label whose values are the first `max` seen, the rest `_other`: a bound on its series. */
export function boundedLabel(max: number): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    if (seen.has(value)) return value;
    if (seen.size >= max) return '_other';
    seen.add(value);
    return value;
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** What the metrics read from the running daemon at scrape time. */
export interface MetricSources {
  scheduler(): { deferred: number; skippedOverlap: number; skippedLate: number; misfires: number };
  backlog(): number;
}
