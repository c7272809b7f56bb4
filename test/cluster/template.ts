/**
 * Search templates: stored scripts (`PUT _scripts/{id}`) and `_search/template` rendering with Mustache.
 * As in Elasticsearch, values are JSON-escaped (not HTML-escaped) and `{{#toJson}}x{{/toJson}}` inserts a
 * parameter as JSON.
 */
import Mustache from 'mustache';
import type { Store } from './store.ts';
import { httpError, parsingError } from './errors.ts';

function lookup(params: Record<string, unknown>, path: string): unknown {
  let node: unknown = params;
  for (const part of path.trim().split('.')) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
  return node;
}

export function renderTemplate(source: unknown, params: Record<string, unknown>): Record<string, unknown> {
  let text = typeof source === 'string' ? source : JSON.stringify(source);
  text = text.replace(/\{\{#toJson\}\}(.*?)\{\{\/toJson\}\}/g, (_m, path: string) => JSON.stringify(lookup(params, path) ?? null));
  let rendered: string;
  try {
    rendered = Mustache.render(text, params, {}, { escape: (v: unknown) => JSON.stringify(String(v)).slice(1, -1) });
  } catch (e) {
    throw httpError(400, 'general_script_exception', `Failed to compile inline script [${text.slice(0, 80)}] using lang [mustache]`, { caused_by: { type: 'mustache_exception', reason: String(e) } });
  }
  try {
    return JSON.parse(rendered) as Record<string, unknown>;
  } catch {
    throw parsingError(`Failed to parse rendered search template: [${rendered.slice(0, 200)}]`);
  }
}

export function putScript(store: Store, id: string, body: Record<string, unknown>): void {
  const script = body.script as { lang?: string; source?: unknown } | undefined;
  if (!script || script.source === undefined) throw httpError(400, 'illegal_argument_exception', 'must specify source for stored script');
  store.putScript(id, { lang: script.lang ?? 'painless', source: script.source });
}

/** The body `_search/template` takes: an inline `source` or a stored script `id`, plus `params`. */
export function templateSearchBody(store: Store, body: Record<string, unknown>): Record<string, unknown> {
  const params = (body.params ?? {}) as Record<string, unknown>;
  if (typeof body.id === 'string') {
    const script = store.scripts.get(body.id);
    if (!script) throw httpError(404, 'resource_not_found_exception', `unable to find script [${body.id}] in cluster state`);
    return renderTemplate(script.source, params);
  }
  if (body.source !== undefined) return renderTemplate(body.source, params);
  throw httpError(400, 'illegal_argument_exception', 'either [id] or [source] must be specified for a search template');
}
