import type { ScriptContext } from '../script/types.ts';
import type { FireInfo } from '../schedule/scheduler.ts';
import { isoTime } from './iso-time.ts';

const iso = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : isoTime(ms));

/** The context a run starts with: plain JSON only. */
export function initialContext(
  watch: { id: string; tenant: string },
  fire: FireInfo | null,
  now: number,
  input?: Record<string, unknown>,
): ScriptContext {
  return {
    data: input ? structuredClone(input) : {},
    watch: { id: watch.id, tenant: watch.tenant },
    trigger: {
      scheduled_time: iso(fire?.scheduledTime),
      triggered_time: iso(fire?.triggeredTime ?? now),
      previous_scheduled_time: iso(fire?.previousScheduledTime),
      next_scheduled_time: iso(fire?.nextScheduledTime),
    },
    execution_time: isoTime(now),
    severity: null,
  };
}

/** A context for one action: its own checks may change `data` without touching other actions. */
export function forkContext(ctx: ScriptContext, item?: unknown): ScriptContext {
  const out: ScriptContext = { ...ctx, data: structuredClone(ctx.data) };
  if (item !== undefined) out.item = item;
  return out;
}
