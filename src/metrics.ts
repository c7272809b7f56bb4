import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The daemon's metrics (Prometheus text at `GET /metrics`). One instance per app, never global, so tests
 * that build several apps in one process do not share counters.
 */
export function createMetrics(opts: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'vigil_' });
  const m = {
    registry,
    watchRuns: new Counter({ name: 'vigil_watch_runs_total', help: 'Watch runs by final status', labelNames: ['status'], registers: [registry] }),
    deliveries: new Counter({ name: 'vigil_deliveries_total', help: 'Finished deliveries by outcome', labelNames: ['type', 'outcome'], registers: [registry] }),
    deliveryAttempts: new Counter({ name: 'vigil_delivery_attempts_total', help: 'Delivery attempts', labelNames: ['type'], registers: [registry] }),
    deliveryQueueFull: new Counter({ name: 'vigil_delivery_queue_full_total', help: 'Attempts postponed because a destination queue was full', labelNames: ['destination'], registers: [registry] }),
    triggerLateness: new Histogram({
      name: 'vigil_trigger_lateness_seconds',
      help: 'Start of a run minus its scheduled time',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    watchesLoaded: new Gauge({ name: 'vigil_watches_loaded', help: 'Valid watches scheduled', registers: [registry] }),
    watchesInvalid: new Gauge({ name: 'vigil_watches_invalid', help: 'Watch files that failed validation', registers: [registry] }),
    stateCheckpoints: new Histogram({
      name: 'vigil_state_checkpoint_seconds',
      help: 'Checkpoints of the state database (write-ahead log into the database file, off the event loop)',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    schedulerSkipped: new Counter({ name: 'vigil_scheduler_skipped_total', help: 'Fires not run', labelNames: ['reason'], registers: [registry] }),
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
