/**
 * The health report: `green`, `yellow` or `red`, and every reason it is not green, each naming the
 * watch, cluster or action at fault. Red: the node cannot do its job (a configured cluster or the state
 * store does not answer, the state store's write queue is full so that no run starts, or this daemon
 * counted itself out of the daemons sharing the watches). Yellow: it works, degraded (watches failing, watches naming a cluster that
 * is not configured, overload, a backlog in the outbox, deliveries failing, the dead-man switch failing,
 * invalid watch files).
 */
import type { ClusterNeed, FailingDelivery, FailingWatch } from './trackers.ts';
import type { ProbeResults } from './probes.ts';

export type HealthStatus = 'green' | 'yellow' | 'red';

/** Every health reason code and the status it sets: red, the node cannot do its job; yellow, degraded. */
export const HEALTH_REASONS = {
  NOT_STARTED: 'red',
  STORE_UNAVAILABLE: 'red',
  STORE_QUEUE_FULL: 'red',
  CLUSTER_UNREACHABLE: 'red',
  WATCH_FAILING: 'yellow',
  CLUSTER_NOT_CONFIGURED: 'yellow',
  WATCHES_INVALID: 'yellow',
  OVERLOADED: 'yellow',
  OUTBOX_BACKLOG: 'yellow',
  DELIVERY_FAILING: 'yellow',
  DEADMAN_FAILING: 'yellow',
  NODE_COUNTED_OUT: 'red',
} as const satisfies Record<string, Exclude<HealthStatus, 'green'>>;

export type HealthReasonCode = keyof typeof HEALTH_REASONS;

/** One reason the node is not green; its status is the one HEALTH_REASONS gives its code. */
export type HealthReason = {
  [C in HealthReasonCode]: { status: (typeof HEALTH_REASONS)[C]; code: C; message: string; [context: string]: unknown };
}[HealthReasonCode];

/** Reasons listed per kind at most; the rest are counted (`more`), so a report stays small whatever happens. */
export const MAX_REASONS_PER_KIND = 20;

export interface DeadmanStatus {
  /** Consecutive failed heartbeats; 0 after a success. */
  failures: number;
  lastError: string | null;
  lastSuccessAt: number | null;
}

/** Several daemons on the cluster backend: whether this one still counts itself in. */
export interface MembershipStatus {
  /** Its own heartbeat was not acknowledged within the lease: it runs no watch, the others run them. */
  countedOut: boolean;
  leaseMs: number;
  /** Wall-clock time of its last acknowledged heartbeat. */
  lastHeartbeatAt: number | null;
  /** Why its last heartbeat failed, if it did. */
  lastError: string | null;
}

export interface HealthInputs {
  now: number;
  started: boolean;
  probes: ProbeResults;
  failingWatches: FailingWatch[];
  clusterNeeds: ClusterNeed[];
  invalidWatches: number;
  overloaded: boolean;
  outboxMaxAgeMs: number;
  failingDeliveries: FailingDelivery[];
  deadman: DeadmanStatus | null;
  /** Null on SQLite (one daemon). */
  membership?: MembershipStatus | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The reasons of one kind, the first MAX_REASONS_PER_KIND of them, the count of the rest on the last. */
function capped<T>(items: T[], reason: (item: T) => HealthReason): HealthReason[] {
  const out = items.slice(0, MAX_REASONS_PER_KIND).map(reason);
  if (items.length > MAX_REASONS_PER_KIND) out[out.length - 1] = { ...out.at(-1)!, more: items.length - MAX_REASONS_PER_KIND };
  return out;
}

export function assess(i: HealthInputs): { status: HealthStatus; reasons: HealthReason[] } {
  const reasons: HealthReason[] = [];
  if (!i.started) reasons.push({ status: 'red', code: 'NOT_STARTED', message: 'the watches are not loaded yet' });
  const store = i.probes.store;
  if (store && !store.ok) reasons.push({ status: 'red', code: 'STORE_UNAVAILABLE', message: `the state store cannot be used: ${store.error}`, since: iso(store.checkedAt) });
  if (store?.writes?.full) {
    reasons.push({
      status: 'red',
      code: 'STORE_QUEUE_FULL',
      message: `the state store's write queue is full (${store.writes.queued} writes held until the cluster acknowledges them): no run starts until it has room`,
      queued_writes: store.writes.queued,
    });
  }
  const down = [...i.probes.clusters].filter(([, c]) => !c.reachable);
  reasons.push(
    ...capped(down, ([cluster, c]) => ({
      status: 'red',
      code: 'CLUSTER_UNREACHABLE',
      message: `cluster '${cluster}' does not answer: ${c.error}`,
      cluster,
      since: iso(c.since),
    })),
  );
  reasons.push(
    ...capped(i.failingWatches, (f) => ({
      status: 'yellow',
      code: 'WATCH_FAILING',
      message: `watch ${f.tenant}/${f.watch} failed its last ${f.consecutive} runs: ${f.code}${f.cause ? ` (${f.cause})` : ''}: ${f.error}`,
      tenant: f.tenant,
      watch: f.watch,
      ...(f.cause ? { error_code: f.cause } : {}),
      consecutive_failures: f.consecutive,
      since: iso(f.since),
    })),
  );
  reasons.push(
    ...capped(i.clusterNeeds, (n) => ({
      status: 'yellow',
      code: 'CLUSTER_NOT_CONFIGURED',
      message: `watch ${n.tenant}/${n.watch} needs a cluster that is not configured: ${n.problems.map(([p, m]) => `${p}: ${m}`).join('; ')}`,
      tenant: n.tenant,
      watch: n.watch,
      fields: n.problems.map(([p]) => p),
    })),
  );
  if (i.invalidWatches) reasons.push({ status: 'yellow', code: 'WATCHES_INVALID', message: `${i.invalidWatches} watch file(s) failed validation (the log names them)`, count: i.invalidWatches });
  if (i.overloaded) reasons.push({ status: 'yellow', code: 'OVERLOADED', message: 'delivery is saturated: fires wait in the schedule (see the overloaded log lines)' });
  const outbox = i.probes.outbox;
  if (outbox?.oldestPendingAt != null && i.now - outbox.oldestPendingAt > i.outboxMaxAgeMs) {
    reasons.push({
      status: 'yellow',
      code: 'OUTBOX_BACKLOG',
      message: `${outbox.pending} notification(s) pending in the outbox, the oldest for ${Math.round((i.now - outbox.oldestPendingAt) / 1000)} s (GET /_vigil/deliveries?state=pending)`,
      pending: outbox.pending,
      oldest_pending_since: iso(outbox.oldestPendingAt),
    });
  }
  reasons.push(
    ...capped(i.failingDeliveries, (d) => ({
      status: 'yellow',
      code: 'DELIVERY_FAILING',
      message: `deliveries of ${d.tenant}/${d.watch} action '${d.action}' (${d.type} to ${d.destination}) are failing: ${d.code}: ${d.error}`,
      tenant: d.tenant,
      watch: d.watch,
      action: d.action,
      destination: d.destination,
      at: iso(d.at),
    })),
  );
  if (i.deadman && i.deadman.failures > 0) {
    reasons.push({
      status: 'yellow',
      code: 'DEADMAN_FAILING',
      message: `the dead-man switch heartbeat failed ${i.deadman.failures} time(s) in a row: ${i.deadman.lastError}`,
      last_success: i.deadman.lastSuccessAt === null ? null : iso(i.deadman.lastSuccessAt),
    });
  }
  const m = i.membership;
  if (m?.countedOut) {
    reasons.push({
      status: 'red',
      code: 'NODE_COUNTED_OUT',
      message: `this daemon's heartbeat has not been acknowledged within its lease (${m.leaseMs} ms): it runs no watch until one is, the other daemons run them${m.lastError ? `: ${m.lastError}` : ''}`,
      last_heartbeat: m.lastHeartbeatAt === null ? null : iso(m.lastHeartbeatAt),
    });
  }
  const status: HealthStatus = reasons.some((r) => r.status === 'red') ? 'red' : reasons.length ? 'yellow' : 'green';
  return { status, reasons };
}
