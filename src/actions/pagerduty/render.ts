/**
 * Compiles a PagerDuty action into trigger, resolve and acknowledge events (Events API v2). The events
 * carry everything but the routing key, which is joined at delivery from the account.
 */
import type { CompiledAction, RenderedNotification, RenderInfo, TemplateView } from '../types.ts';
import type { CompileEnv } from '../../checks/types.ts';
import { compileJsonDocument, compileLeaf, compileTree, type LeafTemplate, type TreeTemplate } from '../shared/json-template.ts';
import { fitDedupKey, fitEventSize, MAX_SUMMARY, truncateRunes } from './limits.ts';
import { PD_SEVERITIES, type PagerdutyParams } from './schema.ts';

export type PdSeverity = (typeof PD_SEVERITIES)[number];

/** An Events API v2 event without `routing_key`. */
export interface PdEvent {
  event_action: 'trigger' | 'acknowledge' | 'resolve';
  dedup_key: string;
  payload?: {
    summary: string;
    source: string;
    severity: PdSeverity;
    timestamp?: string;
    component?: string;
    group?: string;
    class?: string;
    custom_details?: unknown;
  };
  links?: Array<{ href: string; text?: string }>;
  images?: Array<{ src: string; href?: string; alt?: string }>;
  client?: string;
}

/**
 * Vigil severity level → PagerDuty severity. `none` (a watch without severity mapping) pages as `error`:
 * the watch fired, so something is wrong, but nothing says it is critical.
 */
export function pdSeverity(level: string): PdSeverity {
  if (level === 'fatal') return 'critical';
  return (PD_SEVERITIES as readonly string[]).includes(level) ? (level as PdSeverity) : 'error';
}

const opt = (env: CompileEnv, s: string | undefined, path: string): LeafTemplate | undefined =>
  s === undefined ? undefined : compileLeaf(env, s, 'json', path);

export function compilePagerduty(p: PagerdutyParams, env: CompileEnv): CompiledAction {
  const e = p.event;
  const pl = e.payload;
  const dedup = opt(env, e.dedup_key, 'event.dedup_key');
  const summary = opt(env, pl.summary, 'event.payload.summary');
  const source = opt(env, pl.source, 'event.payload.source');
  const severity = opt(env, pl.severity, 'event.payload.severity');
  const timestamp = opt(env, pl.timestamp, 'event.payload.timestamp');
  const component = opt(env, pl.component, 'event.payload.component');
  const group = opt(env, pl.group, 'event.payload.group');
  const klass = opt(env, pl.class, 'event.payload.class');
  const details: TreeTemplate | undefined =
    pl.custom_details === undefined
      ? undefined
      : typeof pl.custom_details === 'string'
        ? compileJsonDocument(env, pl.custom_details, 'event.payload.custom_details')
        : compileTree(env, pl.custom_details, () => 'json', 'event.payload.custom_details');
  const links = e.links ? compileTree(env, e.links, () => 'json', 'event.links') : undefined;
  const images = e.images ? compileTree(env, e.images, () => 'json', 'event.images') : undefined;

  const dedupKey = (view: TemplateView, info: RenderInfo, missing: string[]): string => {
    const k = dedup ? dedup.render(view, missing) : '';
    return fitDedupKey(k || info.episodeKey);
  };

  const finish = (ev: PdEvent, kind: RenderedNotification['kind'], missing: string[], info: RenderInfo): RenderedNotification => {
    if (missing.length) info.reportMissing([...new Set(missing)]);
    const what = ev.payload ? `: ${truncateRunes(ev.payload.summary, 120)}` : '';
    return { kind, request: ev, summary: `pagerduty ${ev.event_action} ${ev.dedup_key}${what}`, destination: 'pagerduty' };
  };

  const short = (action: 'resolve' | 'acknowledge', kind: 'resolve' | 'ack') => (view: TemplateView, info: RenderInfo) => {
    const missing: string[] = [];
    return finish({ event_action: action, dedup_key: dedupKey(view, info, missing) }, kind, missing, info);
  };

  return {
    render(view, info) {
      const missing: string[] = [];
      if (e.event_action !== 'trigger') {
        return finish({ event_action: e.event_action, dedup_key: dedupKey(view, info, missing) }, 'fire', missing, info);
      }
      const sev = severity?.render(view, missing).trim().toLowerCase();
      const payload: NonNullable<PdEvent['payload']> = {
        summary: truncateRunes(summary?.render(view, missing) || `Vigil watch ${info.tenant}/${info.watchId} fired (${info.actionName})`, MAX_SUMMARY),
        source: source?.render(view, missing) || `vigil/${info.tenant}/${info.watchId}`,
        severity: sev && (PD_SEVERITIES as readonly string[]).includes(sev) ? (sev as PdSeverity) : pdSeverity(sev === 'fatal' ? 'fatal' : info.severityLevel),
      };
      const ts = timestamp?.render(view, missing) || (typeof view.execution_time === 'string' ? view.execution_time : undefined);
      if (ts) payload.timestamp = ts;
      if (component) payload.component = component.render(view, missing);
      if (group) payload.group = group.render(view, missing);
      if (klass) payload.class = klass.render(view, missing);
      if (details) payload.custom_details = details.render(view, missing);
      const ev: PdEvent = { event_action: 'trigger', dedup_key: dedupKey(view, info, missing), payload, client: 'Vigil' };
      if (links) ev.links = links.render(view, missing) as PdEvent['links'];
      if (images) ev.images = images.render(view, missing) as PdEvent['images'];
      fitEventSize(ev);
      return finish(ev, 'fire', missing, info);
    },
    renderResolve: p.auto_resolve && e.event_action === 'trigger' ? short('resolve', 'resolve') : undefined,
    renderAck: p.send_acknowledge && e.event_action === 'trigger' ? short('acknowledge', 'ack') : undefined,
  } as CompiledAction;
}
