/**
 * The Mustache view of one run. Built per render from the script context, sharing its
 * values (the renderer never mutates the view, so no copy is made).
 */
import type { ScriptContext } from '../script/types.ts';

/** Links that exist only when a public base URL is configured. */
export interface ViewLinks {
  ack_watch_link?: string | undefined;
  ack_action_link?: string | undefined;
}

/**
 * The view: `data`, `watch.id|tenant`, `trigger.*`, `execution_time`, `severity` (`level.id|name|level`,
 * `value`, `threshold`; null when the watch has no severity), `resolved` (resolve actions), `item`
 * (`foreach`), `ack_watch_link`, `ack_action_link`. Absent optional parts are left out, so referring to
 * them is reported as a missing variable rather than rendering "undefined".
 * A type alias rather than an interface so it stays assignable to `Record<string, unknown>`.
 */
export type TemplateView = {
  data: Record<string, unknown>;
  watch: { id: string; tenant: string };
  trigger: ScriptContext['trigger'];
  execution_time: string;
  severity: ScriptContext['severity'];
  resolved?: ScriptContext['resolved'];
  item?: unknown;
  ack_watch_link?: string;
  ack_action_link?: string;
  /** Action types index the view by name (e.g. `view['data']`). */
  [key: string]: unknown;
};

export function buildTemplateView(ctx: ScriptContext, extra?: ViewLinks): TemplateView {
  const view: TemplateView = {
    data: ctx.data,
    watch: { id: ctx.watch.id, tenant: ctx.watch.tenant },
    trigger: ctx.trigger,
    execution_time: ctx.execution_time,
    severity: ctx.severity,
  };
  if (ctx.resolved !== undefined) view.resolved = ctx.resolved;
  if (ctx.item !== undefined) view.item = ctx.item;
  if (extra?.ack_watch_link !== undefined) view.ack_watch_link = extra.ack_watch_link;
  if (extra?.ack_action_link !== undefined) view.ack_action_link = extra.ack_action_link;
  return view;
}
