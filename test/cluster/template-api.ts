/**
 * REST handlers for `_index_template` and `_component_template`: put (`create=true` refuses to
 * replace), get (by name or pattern, 404 when nothing matches), exists and delete.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { Store } from './store.ts';
import { httpError, illegalArgument } from './errors.ts';
import { wildcardRegex } from './wildcards.ts';

type Json = Record<string, unknown>;
type Kind = 'index' | 'component';

function registry(store: Store, kind: Kind): Map<string, unknown> {
  return kind === 'index' ? store.templates.index : store.templates.component;
}

function matching(store: Store, kind: Kind, name: string | undefined): Array<[string, unknown]> {
  const patterns = (name ?? '*').split(',').map(wildcardRegex);
  return [...registry(store, kind)].filter(([n]) => patterns.some((p) => p.test(n))).sort(([a], [b]) => (a < b ? -1 : 1));
}

export function putTemplate(store: Store, kind: Kind, name: string, body: Json, q: URLSearchParams): estypes.AcknowledgedResponseBase {
  if (q.get('create') === 'true' && registry(store, kind).has(name)) throw illegalArgument(`${kind === 'index' ? 'index' : 'component'} template [${name}] already exists`);
  if (kind === 'index') {
    const template = store.templates.putIndexTemplate(name, body, store.mappingOptions);
    store.record({ t: 'index_template', name, template });
  } else {
    const template = store.templates.putComponentTemplate(name, body, store.mappingOptions);
    store.record({ t: 'component_template', name, template });
  }
  return { acknowledged: true };
}

export function getTemplates(store: Store, kind: Kind, name: string | undefined): Json {
  const found = matching(store, kind, name);
  if (name !== undefined && found.length === 0) throw httpError(404, 'resource_not_found_exception', `${kind === 'index' ? 'index template' : 'component template'} matching [${name}] not found`);
  return kind === 'index'
    ? { index_templates: found.map(([n, t]) => ({ name: n, index_template: t })) }
    : { component_templates: found.map(([n, t]) => ({ name: n, component_template: t })) };
}

export function templateExists(store: Store, kind: Kind, name: string): boolean {
  return matching(store, kind, name).length > 0;
}

export function deleteTemplate(store: Store, kind: Kind, name: string): estypes.AcknowledgedResponseBase {
  if (kind === 'component') {
    store.templates.deleteComponentTemplate(name);
    store.record({ t: 'component_template', name, template: null });
    return { acknowledged: true };
  }
  const found = matching(store, kind, name);
  if (found.length === 0) throw httpError(404, 'resource_not_found_exception', `index_template [${name}] missing`);
  for (const [n] of found) {
    store.templates.index.delete(n);
    store.record({ t: 'index_template', name: n, template: null });
  }
  return { acknowledged: true };
}
