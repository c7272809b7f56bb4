import type { Clock } from '../clock.ts';
import type { Metrics } from '../metrics.ts';
import type { Deliverer } from '../delivery/deliverer.ts';
import type { DeliveryOutcome } from '../delivery/types.ts';
import type { DeliveredMark, OutboxEntry, StateStore } from '../state/types.ts';
import type { CompiledWatch } from '../watches/compile.ts';
import { deadlineFor, retryWindow } from '../delivery/backoff.ts';
import { throttlePeriod } from '../schedule/duration.ts';
import type { Planned } from './action-step.ts';
import type { ActionLogEntry, WatchState } from '../state/records.ts';
import { isoTime } from './iso-time.ts';
import { redactRequest } from './redact-request.ts';

export interface SendEnv {
  store: StateStore;
  deliverer: Deliverer;
  clock: Clock;
  metrics: Pick<Metrics, 'stateCommit'>;
}

export interface SendOptions {
  /** Render only: the log entries show the requests, nothing is committed or sent. */
  simulate: boolean;
  /**
   * The run's state, committed with the outbox entries (a recorded run: deciding to notify and
   * recording the notification are one transaction); null when the run records no state.
   */
  state: WatchState | null;
  /**
   * A manual run (execute API, `vigil execute`): its log entries show the requests sent, the deliverer
   * marks its own entries delivered (no run commit follows for them), and `waitMs` bounds the wait.
   */
  manual: boolean;
  /**
   * Stop waiting for an outcome after this long (manual runs): the delivery goes on, in the outbox, and
   * its log entry says DELIVERY_PENDING. Unset: wait for the outcome.
   */
  waitMs?: number | undefined;
  /**
   * Hand the notifications over and return at once (a scheduled run with several daemons): the log
   * entries say DELIVERY_PENDING and the deliverer records each outcome on its outbox entry.
   */
  detach?: boolean;
  /** The run claim (RunCommit.claim) of the outbox commit, when the run claims its scheduled time. */
  claim?: number | undefined;
  /** Releases the run's reservation in the delivery backlog (Deliverer.reserve) once its notifications are handed over. */
  release?: (() => void) | undefined;
}

/** What became of one planned notification. */
type Outcome = DeliveryOutcome | { status: 'duplicate' };

/** Worse first: a log entry shared by several notifications (foreach, resolve) reports its worst. */
const RANK: Record<Outcome['status'], number> = { failed: 4, pending: 3, delivered: 2, duplicate: 1 };

/**
 * Hands a run's planned notifications to the outbox and the deliverer, and sets each action's log
 * status from what actually happened: ACTION_EXECUTED only once a notification was delivered,
 * ACTION_FAILED when it failed, DELIVERY_PENDING while it is still in the outbox. Returns the entries
 * delivered that the caller marks in its own final commit (scheduled runs).
 */
export async function sendPlanned(env: SendEnv, w: CompiledWatch, planned: Planned[], o: SendOptions): Promise<DeliveredMark[]> {
  try {
    return await handOver(env, w, planned, o);
  } finally {
    o.release?.();
  }
}

async function handOver(env: SendEnv, w: CompiledWatch, planned: Planned[], o: SendOptions): Promise<DeliveredMark[]> {
  if (!planned.length) return [];
  if (o.simulate) {
    for (const p of planned) {
      // A throttled action keeps saying so; the request shows what it would send.
      if (p.log.status.code !== 'ACTION_THROTTLED') p.log.status = { code: 'SIMULATED_ACTION_EXECUTED', ...(p.log.status.detail ? { detail: p.log.status.detail } : {}) };
      showRequest(p);
    }
    return [];
  }
  const now = env.clock.now();
  const entries = planned.map((p) => outboxEntry(w, p, now));
  const t0 = env.clock.monotonic();
  const { enqueued } = await env.store.commit({ ...(o.state ? { state: { tenant: w.tenant, watchId: w.id, value: o.state } } : {}), ...(o.state && o.claim !== undefined ? { claim: o.claim } : {}), enqueue: entries });
  env.metrics.stateCommit.observe((env.clock.monotonic() - t0) / 1000);
  const fresh = new Set(enqueued);
  const pending = planned.map((p, i): Promise<Outcome> | Outcome =>
    // Same key as an earlier run (the clock went back, or a re-run of one scheduled time): sent already.
    !fresh.has(p.key) ? { status: 'duplicate' } : o.detach ? handOff(env, entries[i]!) : deliver(env, entries[i]!, o),
  );
  // Handed over: the deliverer counts them now.
  o.release?.();
  const outcomes = await Promise.all(pending);

  const delivered: DeliveredMark[] = [];
  const worst = new Map<ActionLogEntry, { p: Planned; outcome: Outcome }>();
  planned.forEach((p, i) => {
    const outcome = outcomes[i]!;
    if (outcome.status === 'delivered' && !o.manual) delivered.push({ key: p.key, at: outcome.at ?? env.clock.now(), attempts: outcome.attempts });
    if (o.manual && outcome.status !== 'duplicate') showRequest(p);
    const w0 = worst.get(p.log);
    if (!w0 || RANK[outcome.status] > RANK[w0.outcome.status]) worst.set(p.log, { p, outcome });
  });
  for (const [log, { p, outcome }] of worst) {
    applyOutcome(log, p, outcome);
    const st = o.state?.actions[p.entry.def.name];
    if (!st || outcome.status === 'duplicate') continue;
    if (outcome.status === 'failed') st.last_error = log.error?.message ?? null;
    st.last_execution = isoTime(env.clock.now());
    st.last_status = log.status;
  }
  return delivered;
}

function outboxEntry(w: CompiledWatch, p: Planned, now: number): Omit<OutboxEntry, 'status' | 'attempts' | 'lastError' | 'finishedAt'> {
  const throttleMs = p.entry.throttle ? throttlePeriod(p.entry.throttle, 0) : undefined;
  return {
    key: p.key,
    tenant: w.tenant,
    watchId: w.id,
    action: p.entry.def.name,
    actionType: p.entry.type.type,
    accountId: p.entry.accountId,
    episodeKey: p.episodeKey,
    notification: p.notification,
    createdAt: now,
    deadline: now + deadlineFor(throttleMs),
    nextAttemptAt: now,
  };
}

function handOff(env: SendEnv, e: Omit<OutboxEntry, 'status' | 'attempts' | 'lastError' | 'finishedAt'>): Outcome {
  void env.deliverer.deliver({ ...e, status: 'pending', attempts: 0, lastError: null, finishedAt: null }, { recordDelivered: true }).catch(() => {
    // A store failure while recording the outcome: the entry stays pending and is taken over after its lease.
  });
  return { status: 'pending', attempts: 0, error: 'in the outbox; its outcome is recorded there' };
}

async function deliver(env: SendEnv, e: Omit<OutboxEntry, 'status' | 'attempts' | 'lastError' | 'finishedAt'>, o: SendOptions): Promise<Outcome> {
  // A scheduled run marks its deliveries in its own final commit (one write fewer per notification).
  const outcome = env.deliverer.deliver({ ...e, status: 'pending', attempts: 0, lastError: null, finishedAt: null }, { recordDelivered: o.manual });
  if (o.waitMs === undefined) return outcome;
  let timer: ReturnType<Clock['setTimeout']> | undefined;
  const waited = new Promise<null>((resolve) => (timer = env.clock.setTimeout(() => resolve(null), o.waitMs!)));
  const first = await Promise.race([outcome, waited]);
  if (timer !== undefined) env.clock.clearTimeout(timer);
  if (first) return first;
  const row = await env.store.outbox.get(e.key);
  // The deadline as stored now: a daemon that takes the entry up later (after a restart, or from another
  // daemon) moves it on by the window, so the window is what holds.
  const window = `a ${Math.round(retryWindow(row ?? e) / 1000)} s window from when its daemon takes it up`;
  return {
    status: 'pending',
    attempts: row?.attempts ?? 0,
    error: `still being delivered after ${Math.round(o.waitMs / 1000)} s${row?.lastError ? ` (last attempt: ${row.lastError})` : ''}; retried within ${window} (its deadline now: ${isoTime(row?.deadline ?? e.deadline)})`,
  };
}

function applyOutcome(log: ActionLogEntry, p: Planned, outcome: Outcome): void {
  if (outcome.status === 'duplicate') {
    log.status = { code: 'NO_ACTION', detail: 'notification already sent for this scheduled time' };
    return;
  }
  log.delivery = { key: p.key, attempts: outcome.attempts, status: outcome.status };
  if (outcome.status === 'failed') {
    log.status = { code: 'ACTION_FAILED' };
    log.error = { message: outcome.error ?? 'delivery failed', detail: outcome.code };
  } else if (outcome.status === 'pending') {
    log.status = { code: 'DELIVERY_PENDING', ...(outcome.error ? { detail: outcome.error } : {}) };
  } else if (log.status.code !== 'ACTION_EXECUTED') {
    // An entry whose situation ended (resolve) or that was acknowledged: what it sent is what happened.
    log.status = p.notification.kind === 'resolve' ? { code: 'ACTION_EXECUTED', detail: 'situation ended: resolve sent' } : { code: 'ACTION_EXECUTED' };
  }
}

/** Adds the rendered request, credentials masked, to the entry's `request` list. */
function showRequest(p: Planned): void {
  const log = p.log as { request?: unknown[] };
  log.request = [...(log.request ?? []), redactRequest(p.notification.request)];
}
