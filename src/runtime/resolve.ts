import { yieldPoint } from '../budget/turns.ts';
import type { ScriptContext } from '../script/types.ts';
import type { CompiledWatch } from '../watches/compile.ts';
import type { ActionLogEntry, WatchState } from '../state/records.ts';
import { buildTemplateView } from '../templates/view.ts';
import { errorMessage } from '../errors.ts';
import { forkContext } from './context.ts';
import { runChecks } from './run-checks.ts';
import { LEVEL_RANK } from './severity.ts';
import { renderInfo, type Planned, type StepEnv } from './action-step.ts';

/**
 * Resolve actions run once when one of their `resolves_severity` levels was active in the
 * previous run and is not now, and only when the severity went down: an escalation is not a resolution.
 * They see the previous run as `resolved.*`.
 */
export async function runResolveActions(
  env: StepEnv,
  w: CompiledWatch,
  previous: WatchState['last_execution'],
  ctx: ScriptContext,
): Promise<{ logs: ActionLogEntry[]; planned: Planned[] }> {
  const logs: ActionLogEntry[] = [];
  const planned: Planned[] = [];
  const prevLevel = previous?.severity?.level.id ?? 'none';
  for (const entry of w.resolveActions) {
    const log: ActionLogEntry = { name: entry.def.name, status: { code: 'NO_ACTION' }, execution_start: env.nowIso };
    logs.push(log);
    const levels = entry.resolvesSeverity;
    const wasActive = levels ? levels.has(prevLevel as never) : prevLevel !== 'none';
    const isActive = levels ? levels.has(env.level as never) : env.level !== 'none';
    if (!wasActive || isActive || (LEVEL_RANK[env.level] ?? 0) >= (LEVEL_RANK[prevLevel] ?? 0)) continue;

    const rctx = forkContext(ctx);
    rctx.resolved = { data: previous?.data ?? null, severity: previous?.severity ?? null, trigger: previous?.trigger ?? null };
    if (entry.checks.length) {
      const res = await runChecks(entry.checks, rctx, env.rt);
      if (res.outcome === 'error') {
        log.status = { code: 'ACTION_FAILED' };
        log.error = { message: `check ${res.check ?? '(unnamed)'} failed: ${res.message}` };
        continue;
      }
      if (res.outcome === 'stop') continue;
    }
    // The resolved episode is the one that began at the previous run's situation.
    const episodeId = `resolve:${previous?.trigger.scheduled_time ?? previous?.execution_time ?? ''}`;
    const info = renderInfo(env, entry, episodeId, 0, 'fire');
    await yieldPoint();
    try {
      const n = entry.compiled.render(buildTemplateView(rctx, env.links(entry.def.name)), info);
      planned.push({ key: info.idempotencyKey, episodeKey: info.episodeKey, entry, notification: n, log });
      log.status = { code: 'ACTION_EXECUTED' };
    } catch (e) {
      log.status = { code: 'ACTION_FAILED' };
      log.error = { message: `render failed: ${errorMessage(e)}` };
    }
    log.execution_end = env.nowIso;
  }
  return { logs, planned };
}
