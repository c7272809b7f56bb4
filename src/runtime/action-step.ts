import type { RenderedNotification, RenderInfo } from '../actions/types.ts';
import type { CheckRuntime, IndexAccess } from '../checks/types.ts';
import type { ScriptContext } from '../script/types.ts';
import type { ActionLogEntry, ActionState } from '../state/records.ts';
import type { CompiledActionEntry, CompiledWatch } from '../watches/compile.ts';
import { throttlePeriod } from '../schedule/duration.ts';
import { buildTemplateView } from '../templates/view.ts';
import { errorMessage, VigilError } from '../errors.ts';
import { LEVEL_RANK } from './severity.ts';
import { forkContext } from './context.ts';
import { runChecks } from './run-checks.ts';
import { episodeKey, idempotencyKey } from './keys.ts';
import { yieldPoint } from '../budget/turns.ts';

/** A notification an action decided to send, before it is committed to the outbox. */
export interface Planned {
  key: string;
  episodeKey: string;
  entry: CompiledActionEntry;
  notification: RenderedNotification;
  log: ActionLogEntry;
}

export interface StepEnv {
  watch: CompiledWatch;
  now: number;
  /** `now` as ISO text, made once per run: every log entry and state stamp of the run uses it. */
  nowIso: string;
  scheduledIso: string;
  level: string;
  rt: CheckRuntime;
  /** Who the watch runs as, for what its actions write. */
  access: IndexAccess;
  links(action?: string): { ack_watch_link?: string; ack_action_link?: string };
  reportMissing(paths: string[]): void;
  /** A simulation: a throttled action is still rendered, to show what it would send. */
  simulate?: boolean;
}

export function renderInfo(env: StepEnv, entry: CompiledActionEntry, episodeId: string, item: number, kind: string): RenderInfo {
  const { tenant, id } = env.watch;
  return {
    idempotencyKey: idempotencyKey({ tenant, watchId: id, action: entry.def.name, episodeId, scheduledTime: env.scheduledIso, item, kind }),
    episodeKey: episodeKey(tenant, id, entry.def.name, episodeId),
    tenant,
    watchId: id,
    actionName: entry.def.name,
    severityLevel: env.level,
    reportMissing: env.reportMissing,
    access: env.access,
  };
}

/**
 * The situation of an action ended (watch check false, severity below its levels, its own check false):
 * the ack and the throttle count are cleared, and a type with something to say about it (PagerDuty
 * resolve, Jira transition) renders that, keyed to the same episode.
 */
export function endEpisode(env: StepEnv, entry: CompiledActionEntry, st: ActionState, ctx: ScriptContext, log: ActionLogEntry): Planned[] {
  st.acked = null;
  const episode = st.episode;
  st.episode = null;
  if (!episode || episode.fired === 0 || !entry.compiled.renderResolve) return [];
  const info = renderInfo(env, entry, episode.id, 0, 'resolve');
  const n = entry.compiled.renderResolve(buildTemplateView(ctx, env.links(entry.def.name)), info);
  return n ? [{ key: info.idempotencyKey, episodeKey: info.episodeKey, entry, notification: n, log }] : [];
}

/**
 * One action of one run, in this order: throttled? → severity gate → its checks → acked? →
 * render. Mutates the action's state; returns the log entry and what to send.
 */
export async function stepAction(
  env: StepEnv,
  entry: CompiledActionEntry,
  st: ActionState,
  ctx: ScriptContext,
): Promise<{ log: ActionLogEntry; planned: Planned[] }> {
  const log: ActionLogEntry = { name: entry.def.name, status: { code: 'NO_ACTION' }, execution_start: env.nowIso };
  const previousLevel = st.last_severity ?? 'none';
  st.last_severity = env.level;

  // 1. Throttle, within an episode only. A rise into a listed level breaks through.
  const until = throttledUntil(env, entry, st, previousLevel);
  if (until === null) return evaluate(env, entry, st, ctx, log);
  if (!env.simulate) {
    log.status = { code: 'ACTION_THROTTLED', detail: `throttled until ${new Date(until).toISOString()}` };
    log.execution_end = env.nowIso;
    return { log, planned: [] };
  }
  // A simulation goes on to render what the action would send (its state is not kept), and says that
  // a real run would not send it. Only its own notification is shown: a real run ends no episode here.
  const { planned } = await evaluate(env, entry, st, ctx, log);
  log.status = { code: 'ACTION_THROTTLED', detail: `would be throttled until ${new Date(until).toISOString()}` };
  return { log, planned: planned.filter((p) => p.notification.kind !== 'resolve') };
}

/** When the action's throttle ends (epoch ms), if it holds now; null when it does not. */
function throttledUntil(env: StepEnv, entry: CompiledActionEntry, st: ActionState, previousLevel: string): number | null {
  if (!entry.throttle || !st.episode || !st.last_triggered) return null;
  const rose = entry.severity !== null && (LEVEL_RANK[env.level] ?? 0) > (LEVEL_RANK[previousLevel] ?? 0) && entry.severity.has(env.level as never);
  const until = Date.parse(st.last_triggered) + throttlePeriod(entry.throttle, st.episode.fired - 1);
  return !rose && env.now < until ? until : null;
}

/** Steps 2 to 5 of {@link stepAction}, writing into `log`. */
async function evaluate(
  env: StepEnv,
  entry: CompiledActionEntry,
  st: ActionState,
  ctx: ScriptContext,
  log: ActionLogEntry,
): Promise<{ log: ActionLogEntry; planned: Planned[] }> {
  const start = env.nowIso;
  const done = (planned: Planned[] = []) => ((log.execution_end = start), { log, planned });
  // 2. Severity gate.
  if (entry.severity && !entry.severity.has(env.level as never)) {
    log.status = { code: 'NO_ACTION', detail: `severity ${env.level} is not one of ${[...entry.severity].join(', ')}` };
    return done(endEpisode(env, entry, st, ctx, log));
  }
  // 3. The action's own checks, on its own copy of the data.
  const actx = entry.checks.length ? forkContext(ctx) : ctx;
  if (entry.checks.length) {
    const res = await runChecks(entry.checks, actx, env.rt);
    st.last_check = start;
    if (res.outcome === 'error') {
      log.status = { code: 'ACTION_FAILED' };
      log.error = { message: `check ${res.check ?? '(unnamed)'} failed: ${res.message}` };
      st.last_error = log.error.message;
      return done();
    }
    st.last_check_result = res.outcome === 'continue';
    if (res.outcome === 'stop') {
      log.status = { code: 'NO_ACTION', detail: 'action checks were false' };
      return done(endEpisode(env, entry, st, ctx, log));
    }
  } else {
    st.last_check = start;
    st.last_check_result = true;
  }
  // 4. Acked: the situation goes on, nobody is told again.
  if (st.acked) {
    log.status = { code: 'ACKED' };
    log.ack = st.acked;
    return done();
  }
  // 5. Render, once per foreach item.
  st.episode ??= { id: env.scheduledIso, started: start, fired: 0 };
  let items: unknown[] = [undefined];
  if (entry.foreach) {
    await yieldPoint();
    try {
      const list = entry.foreach.run(actx);
      if (!Array.isArray(list)) throw new Error(`foreach must give a list, got ${list === null ? 'null' : typeof list}`);
      items = list.slice(0, entry.def.foreach_limit);
      if (list.length > entry.def.foreach_limit) log.status.detail = `foreach limited to ${entry.def.foreach_limit} of ${list.length} items`;
    } catch (e) {
      log.status = { code: 'ACTION_FAILED' };
      log.error = { message: `foreach failed: ${errorMessage(e)}` };
      return done();
    }
  }
  const planned: Planned[] = [];
  try {
    for (const [i, item] of items.entries()) {
      // Renders are bounded one by one; many in a row give the event loop back between them (turns.ts).
      await yieldPoint();
      const info = renderInfo(env, entry, st.episode!.id, i, 'fire');
      // Rendering never mutates the view, so items share the action's data instead of copying it.
      const view = buildTemplateView(item === undefined ? actx : { ...actx, item }, env.links(entry.def.name));
      planned.push({ key: info.idempotencyKey, episodeKey: info.episodeKey, entry, notification: entry.compiled.render(view, info), log });
    }
  } catch (e) {
    log.status = { code: 'ACTION_FAILED' };
    // A coded refusal (a write the watch's roles do not allow) keeps its code for whoever reads the log.
    log.error = { message: `render failed: ${errorMessage(e)}`, ...(e instanceof VigilError ? { detail: e.code } : {}) };
    st.last_error = log.error.message;
    return done();
  }
  st.episode.fired++;
  st.last_triggered = start;
  st.execution_count++;
  log.status = { code: 'ACTION_EXECUTED', ...(log.status.detail ? { detail: log.status.detail } : {}) };
  return done(planned);
}
