/**
 * Compiles a Jira action. The rendered request names the operation and everything Jira needs except
 * the account (URL, credentials, API version), which `deliver` joins. Descriptions and comments stay
 * plain text here; `deliver` turns them into ADF for API v3.
 */
import { createHash } from 'node:crypto';
import type { CompiledAction, RenderedNotification, RenderInfo, TemplateView } from '../types.ts';
import type { CompileEnv } from '../../checks/types.ts';
import { compileLeaf, type LeafTemplate } from '../shared/json-template.ts';
import type { JiraParams } from './schema.ts';

/** Jira rejects summaries over 255 characters or with line breaks; we fit them rather than fail. */
const MAX_SUMMARY = 255;

export interface JiraFireRequest {
  op: 'fire';
  project: string;
  /** The episode label: the idempotency key Jira can search on. */
  label: string;
  fields: {
    summary: string;
    description?: string;
    issuetype: { name: string };
    priority?: { name: string };
    components?: Array<{ name: string }>;
    labels: string[];
    parent?: { key: string };
  };
  /** Comment for a re-fire of the same episode. */
  comment: string;
}

export interface JiraResolveRequest {
  op: 'resolve';
  project: string;
  label: string;
  transition: string;
  comment: string;
}

export type JiraRequest = JiraFireRequest | JiraResolveRequest;

/** `vigil-<16 hex>`: stable per tenant, watch, action and episode (the episode key covers all four). */
export function episodeLabel(episodeKey: string): string {
  return `vigil-${createHash('sha256').update(episodeKey).digest('hex').slice(0, 16)}`;
}

function fitSummary(s: string): string {
  const one = s.replace(/[\r\n]+/g, ' ').trim();
  const cps = Array.from(one);
  return cps.length <= MAX_SUMMARY ? one : cps.slice(0, MAX_SUMMARY - 1).join('') + '…';
}

/** Jira labels cannot contain spaces; commas and whitespace separate them. */
function splitLabels(values: string[]): string[] {
  return values.flatMap((v) => v.split(/[\s,]+/)).filter((l) => l !== '');
}

export function compileJira(p: JiraParams, env: CompileEnv): CompiledAction {
  const t = (s: string, path: string): LeafTemplate => compileLeaf(env, s, 'json', path);
  const opt = (s: string | undefined, path: string) => (s === undefined ? undefined : t(s, path));
  const project = t(p.project, 'project');
  const type = t(p.issue.type, 'issue.type');
  const summary = t(p.issue.summary, 'issue.summary');
  const description = opt(p.issue.description, 'issue.description');
  const priority = opt(p.issue.priority, 'issue.priority');
  const component = opt(p.issue.component, 'issue.component');
  const parent = opt(p.issue.parent, 'issue.parent');
  const labels = (p.issue.label === undefined ? [] : Array.isArray(p.issue.label) ? p.issue.label : [p.issue.label]).map((l, i) => t(l, `issue.label[${i}]`));
  const comment = opt(p.comment, 'comment');
  const transition = opt(p.resolve_transition, 'resolve_transition');
  const resolveComment = t(p.resolve_comment, 'resolve_comment');

  const done = (request: JiraRequest, kind: RenderedNotification['kind'], missing: string[], info: RenderInfo, text: string): RenderedNotification => {
    if (missing.length) info.reportMissing([...new Set(missing)]);
    return { kind, request, summary: `jira ${request.project} ${request.label}: ${text}`, destination: `jira:${request.project}` };
  };

  const compiled: CompiledAction = {
    render(view: TemplateView, info: RenderInfo) {
      const missing: string[] = [];
      const label = episodeLabel(info.episodeKey);
      const fields: JiraFireRequest['fields'] = {
        summary: fitSummary(summary.render(view, missing)),
        issuetype: { name: type.render(view, missing) },
        labels: [...new Set([...splitLabels(labels.map((l) => l.render(view, missing))), label])],
      };
      const desc = description?.render(view, missing);
      if (desc) fields.description = desc;
      const prio = priority?.render(view, missing);
      if (prio) fields.priority = { name: prio };
      const comp = component?.render(view, missing);
      if (comp) fields.components = [{ name: comp }];
      const par = parent?.render(view, missing);
      if (par) fields.parent = { key: par };
      const req: JiraFireRequest = {
        op: 'fire',
        project: project.render(view, missing),
        label,
        fields,
        comment: comment?.render(view, missing) || `Fired again: ${fields.summary}${desc ? `\n\n${desc}` : ''}`,
      };
      return done(req, 'fire', missing, info, fields.summary);
    },
  };
  if (transition) {
    compiled.renderResolve = (view, info) => {
      const missing: string[] = [];
      const req: JiraResolveRequest = {
        op: 'resolve',
        project: project.render(view, missing),
        label: episodeLabel(info.episodeKey),
        transition: transition.render(view, missing),
        comment: resolveComment.render(view, missing),
      };
      return done(req, 'resolve', missing, info, `transition to ${req.transition}`);
    };
  }
  return compiled;
}
