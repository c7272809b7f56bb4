import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { CheckRuntime } from '../checks/types.ts';
import type { SearchClient } from '../cluster/types.ts';
import type { HttpClient } from '../net/types.ts';
import type { StateStore } from '../state/types.ts';
import type { Deliverer } from '../delivery/deliverer.ts';
import type { Metrics } from '../metrics.ts';
import type { FireInfo } from '../schedule/scheduler.ts';
import type { CompiledWatch } from '../watches/compile.ts';
import type { RunAsResolver, SavedBy } from '../watches/run-as.ts';
import { errorMessage, VigilError } from '../errors.ts';
import { emptyActionState, emptyWatchState, type ActionLogEntry, type WatchLogRecord, type WatchState, type WatchStatusCode } from '../state/records.ts';
import { initialContext } from './context.ts';
import { isoTime } from './iso-time.ts';
import { runChecks } from './run-checks.ts';
import { evaluateSeverity } from './severity.ts';
import { endEpisode, renderInfo, stepAction, type Planned, type StepEnv } from './action-step.ts';
import { buildTemplateView } from '../templates/view.ts';
import { runResolveActions } from './resolve.ts';
import { sendPlanned } from './send.ts';
import { runIdentity } from './identity.ts';

export interface RunnerDeps {
  store: StateStore;
  deliverer: Deliverer;
  searchClient(cluster: string): SearchClient;
  /** Who each watch runs as: asked before every search and write of a run. */
  runAs: RunAsResolver;
  http: HttpClient;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  node: string;
  /**
   * Scheduled runs hand their notifications to the deliverer and return without waiting for the
   * outcome (several daemons: the outbox is the hand-off; the deliverer records the outcome there).
   */
  detachDeliveries?: boolean;
  /** Base URL for `ack_watch_link`/`ack_action_link`; no links when unset. */
  publicUrl?: string | undefined;
  /** Hears every run's record once it is committed; `scheduled` is false for manual executions. */
  onRunEnded?: (record: WatchLogRecord, scheduled: boolean) => void;
}

export interface RunOptions {
  /** Null for a manual execution. */
  fire: FireInfo | null;
  /** Render actions but send nothing and change no state. */
  simulate?: boolean;
  /** Run checks only. */
  skipActions?: boolean;
  /** Initial `data` (the execute API's `input`). */
  input?: Record<string, unknown>;
  /**
   * The caller of an execution through the API: the run searches and writes only what both the watch
   * and the caller may.
   */
  caller?: SavedBy;
  /** Start at the check with this name (execute API `goto`). */
  goto?: string;
  /**
   * Write the watch state (default true; the execute API sets it from `record_execution`). Without it
   * the run starts from the stored state (throttle, acks, episode) and leaves it as it was; what it
   * sends still goes through the outbox.
   */
  recordState?: boolean;
  /** Append the run's watch-log record (default true; the execute API sets it from `record_execution`). */
  recordLog?: boolean;
  /** Return the run's runtime data (`data`, `severity`, `trigger`…) as `runtime_attributes`; never stored. */
  runtimeAttributes?: boolean;
  /**
   * Claim the fire's scheduled time in the run's first state write (several daemons): the run commits
   * only if no daemon ran that time yet, else it throws CONFLICT having made nothing visible.
   */
  claim?: boolean;
  /** Stop waiting for a delivery after this long (see SendOptions.waitMs); unset: wait for its outcome. */
  deliveryWaitMs?: number;
  signal?: AbortSignal;
  /**
   * Called once the run's checks (the watch's and its actions') are done: the run no longer works on the
   * clusters or other inputs, which is what the scheduler's concurrency limit bounds. Committing and
   * delivering follow (the watch still counts as running until the run ends; deliveries have their own
   * per-destination limits).
   */
  onChecksDone?: () => void;
}

/**
 * Runs one watch once: checks → severity → actions (with throttle, ack, episodes) → resolve actions →
 * outbox → delivery → state and log. Never throws for problems in the watch or its destinations; they
 * become statuses in the returned log record.
 */
export class WatchRunner {
  private readonly d: RunnerDeps;
  /** One signal for every run without its own: the daemon's shutdown aborts them all at its deadline. */
  private readonly abort = new AbortController();

  constructor(deps: RunnerDeps) {
    this.d = deps;
  }

  /**
   * Aborts the checks of every run in flight (and of any run started later) that has no signal of its
   * own: the end of the shutdown grace period. An aborted check fails its run like any check error.
   */
  abortRuns(): void {
    this.abort.abort();
  }

  async run(w: CompiledWatch, opts: RunOptions): Promise<WatchLogRecord> {
    const { clock, store, node } = this.d;
    const now = clock.now();
    const simulate = opts.simulate === true;
    const recordState = !simulate && (opts.recordState ?? true);
    const recordLog = !simulate && (opts.recordLog ?? true);
    // A child logger per run costs pino's redaction set-up; most runs never log, so bind it on first use.
    let runLogger: Logger | undefined;
    const runLog = () => (runLogger ??= this.d.logger.child({ tenant: w.tenant, watch: w.id }));
    // The store hands out a freshly parsed object: this run may change it freely.
    const state: WatchState = (await store.watchState.get(w.tenant, w.id)) ?? emptyWatchState(node);
    // Several daemons: another one may have deactivated the watch through its API since this one scheduled it.
    if (opts.claim && opts.fire && state.active_override === false) throw new VigilError('CONFLICT', `watch [${w.tenant}/${w.id}] was deactivated; this run is dropped`);
    const previous = state.last_execution;
    const ctx = initialContext(w, opts.fire, now, opts.input);
    // Made on first use: most runs render every variable.
    let missing: Set<string> | undefined;
    const reportMissing = (paths: string[]) => paths.forEach((p) => (missing ??= new Set()).add(p));
    const access = runIdentity(this.d.runAs, w, opts.caller);
    const rt: CheckRuntime = {
      searchClient: this.d.searchClient,
      access,
      http: this.d.http,
      clock,
      get logger() {
        return runLog();
      },
      signal: opts.signal ?? this.abort.signal,
      reportMissing,
    };
    const log: WatchLogRecord = {
      id: randomUUID(),
      tenant: w.tenant,
      watch_id: w.id,
      watch_version: w.version,
      status: { code: 'NO_ACTION' },
      execution_start: ctx.execution_time,
      execution_end: '',
      trigger: { scheduled_time: ctx.trigger.scheduled_time, triggered_time: ctx.trigger.triggered_time },
      actions: [],
      resolve_actions: [],
      node,
    };

    const checks = await runChecks(w.checks, ctx, rt, opts.goto, (type, ms) => this.d.metrics.checkDuration.observe({ type }, ms / 1000));
    let failed: { check: string | null; message: string; code?: string | undefined } | null =
      checks.outcome === 'error' ? { check: checks.check, message: checks.message, code: checks.code } : null;
    let level = 'none';
    if (!failed && checks.outcome === 'continue' && w.severity) {
      try {
        ctx.severity = evaluateSeverity(w.severity, ctx);
        level = ctx.severity.level.id;
      } catch (e) {
        failed = { check: 'severity', message: errorMessage(e) };
      }
    }

    const planned: Planned[] = [];
    if (failed) {
      // A check that errors says nothing about the situation: acks, episodes and throttles stay as they are.
      log.status = { code: 'EXECUTION_FAILED', detail: failed.message };
      log.error = { check: failed.check, message: failed.message, ...(failed.code ? { detail: failed.code } : {}) };
    } else if (!opts.skipActions) {
      const env: StepEnv = {
        watch: w,
        now,
        nowIso: ctx.execution_time,
        scheduledIso: ctx.trigger.scheduled_time ?? ctx.execution_time,
        level,
        rt,
        access,
        links: (action) => this.links(w, action),
        reportMissing,
        simulate,
      };
      // A false condition, or a severity mapping that gives `none`, means there is no situation to report.
      const quiet = checks.outcome === 'stop' || (w.severity !== null && level === 'none');
      for (const entry of w.actions) {
        const st = (state.actions[entry.def.name] ??= emptyActionState());
        if (quiet) {
          // Every action's situation is over.
          const entryLog: ActionLogEntry = { name: entry.def.name, status: { code: 'NO_ACTION', ...(checks.outcome === 'stop' ? {} : { detail: 'severity is none' }) } };
          st.last_check = log.execution_start;
          st.last_check_result = false;
          st.last_severity = 'none';
          planned.push(...endEpisode(env, entry, st, ctx, entryLog));
          log.actions.push(entryLog);
        } else {
          const step = await stepAction(env, entry, st, ctx);
          log.actions.push(step.log);
          planned.push(...step.planned);
        }
        st.last_status = log.actions.at(-1)!.status;
      }
      if (w.resolveActions.length) {
        const resolved = await runResolveActions(env, w, previous, ctx);
        log.resolve_actions = resolved.logs;
        planned.push(...resolved.planned);
      }
    }

    // In the delivery backlog from now (the scheduler's back-pressure), before the slot goes.
    const release = simulate ? undefined : this.d.deliverer.reserve(planned.length);
    // Every check, the watch's and its actions', has run: nothing more to ask of the clusters.
    opts.onChecksDone?.();
    state.last_execution = {
      severity: ctx.severity,
      trigger: { scheduled_time: ctx.trigger.scheduled_time, triggered_time: ctx.trigger.triggered_time },
      execution_time: ctx.execution_time,
      // Kept only where resolve actions need it as `resolved.data`.
      ...(w.resolveActions.length && level !== 'none' ? { data: ctx.data } : {}),
    };
    // The claim travels with the run's first state write: the outbox commit when it notifies, else the last.
    let claim = opts.claim && opts.fire && recordState ? opts.fire.scheduledTime : undefined;
    const delivered = await sendPlanned(this.d, w, planned, { simulate, state: recordState ? state : null, manual: opts.fire === null, waitMs: opts.deliveryWaitMs, release, claim, detach: this.d.detachDeliveries === true && opts.fire !== null });
    if (planned.length && !simulate) claim = undefined;

    log.status = failed ? log.status : { code: summarize(log.actions, simulate) };
    if (ctx.severity) {
      log.severity = ctx.severity;
      log.status.severity = level;
    }
    if (w.def.log_runtime_data) log.data = ctx.data;
    if (missing?.size) log.missing_variables = [...missing];
    log.execution_end = isoTime(clock.now());
    state.last_status = log.status;
    state.node = node;
    if (recordState || recordLog || delivered.length) {
      const t0 = clock.monotonic();
      await store.commit({ ...(recordState ? { state: { tenant: w.tenant, watchId: w.id, value: state } } : {}), ...(claim !== undefined ? { claim } : {}), delivered, ...(recordLog ? { log } : {}) });
      this.d.metrics.stateCommit.observe((clock.monotonic() - t0) / 1000);
    }
    this.d.metrics.watchRuns.inc({ status: log.status.code, tenant: this.d.metrics.tenant(w.tenant) });
    if (!simulate) this.d.onRunEnded?.(log, opts.fire !== null);
    if (failed) runLog().warn({ check: failed.check }, `watch run failed: ${failed.message}`);
    if (!opts.runtimeAttributes) return log;
    // After the commit: the answer carries them, the watch log never does.
    const { data, severity, trigger, execution_time, watch } = ctx;
    return { ...log, runtime_attributes: { data, severity, trigger, execution_time, watch } };
  }

  /**
   * After an ack in Vigil: actions whose type has something to say about it (PagerDuty `acknowledge`)
   * send it, keyed to the acked episode. Returns the action log entries of what was sent.
   */
  async notifyAck(w: CompiledWatch, actionNames: string[]): Promise<ActionLogEntry[]> {
    const now = this.d.clock.now();
    const state = (await this.d.store.watchState.get(w.tenant, w.id)) ?? emptyWatchState(this.d.node);
    const ctx = initialContext(w, null, now);
    ctx.severity = state.last_execution?.severity ?? null;
    const planned: Planned[] = [];
    const logs: ActionLogEntry[] = [];
    for (const entry of w.actions) {
      const st = state.actions[entry.def.name];
      if (!actionNames.includes(entry.def.name) || !entry.compiled.renderAck || !st?.episode || !st.acked) continue;
      const env: StepEnv = {
        watch: w, now, nowIso: ctx.execution_time, scheduledIso: `ack:${st.acked.on}`, level: ctx.severity?.level.id ?? 'none',
        rt: null as never, access: this.d.runAs.forWatch(w), links: (a) => this.links(w, a), reportMissing: () => {},
      };
      const info = renderInfo(env, entry, st.episode.id, 0, 'ack');
      const n = entry.compiled.renderAck(buildTemplateView(ctx, env.links(entry.def.name)), info);
      if (!n) continue;
      const log: ActionLogEntry = { name: entry.def.name, status: { code: 'NO_ACTION', detail: 'acknowledged' } };
      logs.push(log);
      planned.push({ key: info.idempotencyKey, episodeKey: info.episodeKey, entry, notification: n, log });
    }
    // Manual: the deliverer marks what it delivered itself.
    await sendPlanned(this.d, w, planned, { simulate: false, state, manual: true });
    return logs;
  }

  private links(w: CompiledWatch, action?: string): { ack_watch_link?: string; ack_action_link?: string } {
    if (!this.d.publicUrl) return {};
    const base = `${this.d.publicUrl.replace(/\/$/, '')}/_signals/watch/${encodeURIComponent(w.tenant)}/${encodeURIComponent(w.id)}/_ack`;
    return action ? { ack_watch_link: base, ack_action_link: `${base}/${encodeURIComponent(action)}` } : { ack_watch_link: base };
  }
}

/** The watch status from its actions' statuses: failures first, then what happened, then why nothing did. */
function summarize(actions: ActionLogEntry[], simulate: boolean): WatchStatusCode {
  const codes = new Set(actions.map((a) => a.status.code));
  if (codes.has('ACTION_FAILED')) return 'ACTION_FAILED';
  if (codes.has('DELIVERY_PENDING')) return 'DELIVERY_PENDING';
  if (codes.has('ACTION_EXECUTED')) return simulate ? 'SIMULATED_ACTION_EXECUTED' : 'ACTION_EXECUTED';
  if (codes.has('SIMULATED_ACTION_EXECUTED')) return 'SIMULATED_ACTION_EXECUTED';
  if (codes.has('ACTION_THROTTLED')) return 'ACTION_THROTTLED';
  if (codes.has('ACKED')) return 'ACKED';
  return 'NO_ACTION';
}
