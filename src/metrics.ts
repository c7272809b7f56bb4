import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The daemon's metrics (Prometheus text at `GET /metrics`). One instance per app, never global, so tests
 * that build several apps in one process do not share counters.
 */
export function createMetrics(opts: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'vigil_' });
  // Figures other parts keep themselves, read when scraped (bound once the app is built).
  let sources: MetricSources | null = null;
  const m = {
    /** Reads the scheduler's counters and the delivery backlog at every scrape. */
    bind(s: MetricSources): void {
      sources = s;
    },
    registry,
    watchRuns: new Counter({ name: 'vigil_watch_runs_total', help: 'Watch runs by final status', labelNames: ['status'], registers: [registry] }),
    deliveries: new Counter({ name: 'vigil_deliveries_total', help: 'Finished deliveries by outcome', labelNames: ['type', 'outcome'], registers: [registry] }),
    deliveryAttempts: new Counter({ name: 'vigil_delivery_attempts_total', help: 'Delivery attempts', labelNames: ['type'], registers: [registry] }),
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
    triggerLateness: new Histogram({
      name: 'vigil_trigger_lateness_seconds',
      help: 'Start of a run minus its scheduled time',
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
    stateStoreHealthy: new Gauge({
      name: 'vigil_state_store_healthy',
      help: '1 while the state store takes writes (always, for SQLite); 0 while the cluster that holds the state does not answer',
      registers: [registry],
    }),
    stateStoreQueued: new Gauge({
      name: 'vigil_state_store_queued_writes',
      help: 'Writes the cluster state store holds in memory until the cluster acknowledges them',
      registers: [registry],
    }),
    stateCheckpoints: new Histogram({
      name: 'vigil_state_checkpoint_seconds',
      help: 'Checkpoints of the state database (write-ahead log into the database file, off the event loop)',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
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

export type Metrics = ReturnType<typeof createMetrics>;

/** What the metrics read from the running daemon at scrape time. */
export interface MetricSources {
  scheduler(): { deferred: number; skippedOverlap: number; skippedLate: number };
  backlog(): number;
}
