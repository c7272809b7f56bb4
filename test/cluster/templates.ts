/**
 * Composable index templates (`PUT _index_template/{name}`) and component templates
 * (`PUT _component_template/{name}`): validated as the real nodes validate them (including the
 * same-priority overlap rule), and resolved at index creation into the settings, mappings and aliases
 * the new index starts with: component templates in `composed_of` order, then the template's own.
 */
import { httpError, illegalArgument, validationError } from './errors.ts';
import { mergeMappings, parseMappings, type MappingOptions, type RootMapping } from './mapping.ts';
import { mergeSettings, parseSettings, type IndexSettings } from './settings.ts';
import { wildcardRegex } from './wildcards.ts';

export interface TemplateBody {
  settings?: unknown;
  mappings?: unknown;
  aliases?: Record<string, Record<string, unknown>>;
}

export interface IndexTemplate {
  index_patterns: string[];
  template?: TemplateBody;
  composed_of: string[];
  priority?: number;
  version?: number;
  _meta?: unknown;
  data_stream?: unknown;
  allow_auto_create?: boolean;
}

export interface ComponentTemplate {
  template: TemplateBody;
  version?: number;
  _meta?: unknown;
}

/** What a new index starts from. */
export interface ResolvedTemplate {
  settings: IndexSettings;
  mappings: RootMapping;
  aliases: Record<string, Record<string, unknown>>;
}

const INDEX_TEMPLATE_KEYS = new Set(['index_patterns', 'template', 'composed_of', 'priority', 'version', '_meta', 'data_stream', 'allow_auto_create', 'ignore_missing_component_templates', 'deprecated']);
const TEMPLATE_KEYS = new Set(['settings', 'mappings', 'aliases', 'lifecycle', 'data_stream_options']);

function unknownField(where: string, key: string): never {
  throw httpError(400, 'x_content_parse_exception', `[1:2] [${where}] unknown field [${key}]`);
}

function checkTemplateBody(t: unknown, opts: MappingOptions): TemplateBody {
  if (t === undefined) return {};
  if (typeof t !== 'object' || t === null || Array.isArray(t)) throw httpError(400, 'x_content_parse_exception', '[1:14] [template] template doesn\'t support values of type: VALUE_STRING');
  for (const k of Object.keys(t)) if (!TEMPLATE_KEYS.has(k)) unknownField('template', k);
  const body = t as TemplateBody;
  parseSettings(body.settings);
  parseMappings(body.mappings, opts);
  return body;
}

/** Two pattern sets can match the same index name (a conservative test: one pattern matches the other's literal text, or their fixed prefixes nest). */
function overlaps(a: string[], b: string[]): boolean {
  const prefix = (p: string) => p.split('*')[0]!;
  return a.some((x) => b.some((y) => wildcardRegex(x).test(y) || wildcardRegex(y).test(x) || prefix(x).startsWith(prefix(y)) || prefix(y).startsWith(prefix(x))));
}

export class Templates {
  readonly index = new Map<string, IndexTemplate>();
  readonly component = new Map<string, ComponentTemplate>();

  putIndexTemplate(name: string, body: Record<string, unknown>, opts: MappingOptions): IndexTemplate {
    for (const k of Object.keys(body)) if (!INDEX_TEMPLATE_KEYS.has(k)) unknownField('index_template', k);
    const raw = body.index_patterns;
    const patterns = raw === undefined ? [] : Array.isArray(raw) ? raw.map(String) : [String(raw)];
    if (patterns.length === 0) throw validationError('index patterns are missing');
    const composedOf = Array.isArray(body.composed_of) ? body.composed_of.map(String) : [];
    const missing = composedOf.filter((c) => !this.component.has(c));
    if (missing.length > 0 && body.ignore_missing_component_templates === undefined) {
      throw illegalArgument(`index template [${name}] specifies component templates [${missing.join(', ')}] that do not exist`);
    }
    const template: IndexTemplate = { index_patterns: patterns, composed_of: composedOf };
    if (body.template !== undefined) template.template = checkTemplateBody(body.template, opts);
    for (const k of ['priority', 'version', '_meta', 'data_stream', 'allow_auto_create'] as const) if (body[k] !== undefined) (template as unknown as Record<string, unknown>)[k] = body[k];
    const priority = template.priority ?? 0;
    const clash = [...this.index].filter(([other, t]) => other !== name && (t.priority ?? 0) === priority && overlaps(patterns, t.index_patterns));
    if (clash.length > 0) {
      throw illegalArgument(
        `index template [${name}] has index patterns [${patterns.join(', ')}] matching patterns from existing templates [${clash.map(([n]) => n).join(',')}] ` +
          `with patterns (${clash.map(([n, t]) => `${n} => [${t.index_patterns.join(', ')}]`).join(',')}) that have the same priority [${priority}], ` +
          'multiple index templates may not match during index creation, please use a different priority',
      );
    }
    // The composed result must itself be valid (a component and the template may not conflict).
    this.compose(template, opts);
    this.index.set(name, template);
    return template;
  }

  putComponentTemplate(name: string, body: Record<string, unknown>, opts: MappingOptions): ComponentTemplate {
    for (const k of Object.keys(body)) if (!['template', 'version', '_meta', 'deprecated'].includes(k)) unknownField('component_template', k);
    if (body.template === undefined) throw validationError('template is missing');
    const component: ComponentTemplate = { template: checkTemplateBody(body.template, opts) };
    if (body.version !== undefined) component.version = body.version as number;
    if (body._meta !== undefined) component._meta = body._meta;
    this.component.set(name, component);
    return component;
  }

  deleteComponentTemplate(name: string): void {
    if (!this.component.has(name)) throw httpError(404, 'resource_not_found_exception', `component template matching [${name}] not found`);
    const users = [...this.index].filter(([, t]) => t.composed_of.includes(name)).map(([n]) => n);
    if (users.length > 0) throw illegalArgument(`component templates [${name}] cannot be removed as they are still in use by index templates [${users.join(', ')}]`);
    this.component.delete(name);
  }

  /** The highest-priority template whose patterns match `index`, as index creation picks it. */
  match(index: string): IndexTemplate | undefined {
    let best: IndexTemplate | undefined;
    for (const t of this.index.values()) {
      if (!t.index_patterns.some((p) => wildcardRegex(p).test(index))) continue;
      if (!best || (t.priority ?? 0) > (best.priority ?? 0)) best = t;
    }
    return best;
  }

  compose(t: IndexTemplate, opts: MappingOptions): ResolvedTemplate {
    const parts = [...t.composed_of.map((c) => this.component.get(c)?.template).filter((x): x is TemplateBody => x !== undefined), t.template ?? {}];
    let mappings: RootMapping = {};
    for (const p of parts) mappings = mergeMappings(mappings, parseMappings(p.mappings, opts));
    return {
      settings: mergeSettings(...parts.map((p) => parseSettings(p.settings))),
      mappings,
      aliases: Object.assign({}, ...parts.map((p) => p.aliases ?? {})) as Record<string, Record<string, unknown>>,
    };
  }
}
