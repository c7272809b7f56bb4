/**
 * Index mappings as Elasticsearch and OpenSearch keep them: a tree of field mappers (`properties`,
 * `dynamic`, multi-`fields`), parsed and checked when an index is created or `PUT _mapping` is called,
 * merged with the real conflict rules, rendered back as `GET _mapping` shows it, and flattened into
 * the field-path → type map the query and aggregation code reads.
 */
import { httpError, illegalArgument } from './errors.ts';

/** The type families the search engine here distinguishes. */
export type FieldType = 'keyword' | 'text' | 'long' | 'double' | 'date' | 'boolean' | 'object' | 'flattened';

export type Dynamic = 'true' | 'false' | 'strict' | 'runtime';

/** One field's mapping, in its JSON form (`{type, fields, …}` or `{properties, dynamic, …}`). */
export interface FieldMapping {
  type?: string;
  properties?: Record<string, FieldMapping>;
  fields?: Record<string, FieldMapping>;
  dynamic?: Dynamic;
  enabled?: boolean;
  [param: string]: unknown;
}

/** The root of an index's mappings. */
export interface RootMapping {
  dynamic?: Dynamic;
  properties?: Record<string, FieldMapping>;
  [param: string]: unknown;
}

const LEAF_FAMILIES: Record<string, FieldType> = {
  keyword: 'keyword', constant_keyword: 'keyword', wildcard: 'keyword', ip: 'keyword', version: 'keyword',
  text: 'text', match_only_text: 'text',
  long: 'long', integer: 'long', short: 'long', byte: 'long', unsigned_long: 'long',
  double: 'double', float: 'double', half_float: 'double', scaled_float: 'double',
  date: 'date', date_nanos: 'date',
  boolean: 'boolean',
  binary: 'keyword',
};

const LEAF_PARAMS = new Set([
  'type', 'index', 'store', 'doc_values', 'meta', 'copy_to', 'fields', 'null_value', 'ignore_malformed', 'coerce', 'script', 'on_script_error',
  'ignore_above', 'normalizer', 'eager_global_ordinals', 'split_queries_on_whitespace', 'similarity', 'index_options', 'norms',
  'analyzer', 'search_analyzer', 'search_quote_analyzer', 'index_prefixes', 'index_phrases', 'position_increment_gap', 'term_vector', 'fielddata',
  'scaling_factor', 'format', 'locale', 'time_series_dimension', 'time_series_metric', 'depth_limit', 'value',
]);
const OBJECT_PARAMS = new Set(['type', 'properties', 'dynamic', 'enabled', 'subobjects', 'include_in_parent', 'include_in_root']);
const ROOT_PARAMS = new Set(['dynamic', 'properties', '_source', '_meta', '_routing', 'date_detection', 'numeric_detection', 'dynamic_templates', 'dynamic_date_formats', 'runtime', 'enabled', 'subobjects', '_field_names']);
/** Leaf parameters a mapping update may change (others are fixed once the field exists). */
const UPDATABLE = new Set(['ignore_above', 'meta', 'search_analyzer', 'search_quote_analyzer', 'eager_global_ordinals', 'fields', 'ignore_malformed']);

export interface MappingOptions {
  /** `flattened` is Elasticsearch's name for the type OpenSearch calls `flat_object`. */
  distribution: 'elasticsearch' | 'opensearch';
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function isObjectMapping(m: FieldMapping): boolean {
  return m.type === undefined || m.type === 'object' || m.type === 'nested';
}

function mapperError(reason: string): never {
  throw httpError(400, 'mapper_parsing_exception', reason);
}

function parseDynamic(v: unknown): Dynamic {
  const s = String(v);
  if (s === 'true' || s === 'false' || s === 'strict' || s === 'runtime') return s;
  return mapperError(`Could not convert [dynamic] to boolean: [${s}]`);
}

function leafFamily(type: string, opts: MappingOptions): FieldType | undefined {
  if (type === (opts.distribution === 'elasticsearch' ? 'flattened' : 'flat_object')) return 'flattened';
  return LEAF_FAMILIES[type];
}

function parseField(name: string, def: unknown, opts: MappingOptions): FieldMapping {
  if (!isPlainObject(def)) return mapperError(`Expected map for property [fields] on field [${name}] but got a class java.lang.String`);
  const type = def.type === undefined ? undefined : String(def.type);
  if (type === undefined || type === 'object' || type === 'nested') {
    for (const k of Object.keys(def)) if (!OBJECT_PARAMS.has(k)) mapperError(`unknown parameter [${k}] on mapper [${name}] of type [${type ?? 'object'}]`);
    const out: FieldMapping = {};
    if (type !== undefined) out.type = type;
    if (def.dynamic !== undefined) out.dynamic = parseDynamic(def.dynamic);
    if (def.enabled !== undefined) out.enabled = def.enabled === true || def.enabled === 'true';
    if (def.properties !== undefined) out.properties = parseProperties(def.properties, name + '.', opts);
    return out;
  }
  if (!leafFamily(type, opts)) return mapperError(`No handler for type [${type}] declared on field [${name}]`);
  const out: FieldMapping = { type };
  for (const [k, v] of Object.entries(def)) {
    if (!LEAF_PARAMS.has(k)) mapperError(`unknown parameter [${k}] on mapper [${name}] of type [${type}]`);
    if (k === 'fields') {
      if (!isPlainObject(v)) mapperError(`Expected map for property [fields] on field [${name}]`);
      out.fields = {};
      for (const [sub, subDef] of Object.entries(v)) {
        const parsed = parseField(`${name}.${sub}`, subDef, opts);
        if (isObjectMapping(parsed)) mapperError(`Type [${parsed.type ?? 'object'}] cannot be used in multi field`);
        out.fields[sub] = parsed;
      }
    } else if (k !== 'type') out[k] = v;
  }
  return out;
}

function parseProperties(props: unknown, prefix: string, opts: MappingOptions): Record<string, FieldMapping> {
  if (!isPlainObject(props)) return mapperError(`Expected map for property [properties] but got [${String(props)}]`);
  const out: Record<string, FieldMapping> = {};
  for (const [name, def] of Object.entries(props)) {
    if (name === '') mapperError('field name cannot be an empty string');
    // A dotted name is shorthand for nested objects, as the real mapper expands it.
    const parts = name.split('.');
    let target = out;
    for (const part of parts.slice(0, -1)) {
      const obj = (target[part] ??= {});
      target = obj.properties ??= {};
    }
    target[parts.at(-1)!] = parseField(prefix + name, def, opts);
  }
  return out;
}

/** Parses a `mappings` body; throws the 400 mapper_parsing_exception a real node sends. */
export function parseMappings(body: unknown, opts: MappingOptions): RootMapping {
  if (body === undefined || body === null) return {};
  if (!isPlainObject(body)) return mapperError('Failed to parse mapping: Expected map for property [mappings]');
  const unknown = Object.entries(body).filter(([k]) => !ROOT_PARAMS.has(k));
  if (unknown.length > 0) mapperError(`Root mapping definition has unsupported parameters:  ${unknown.map(([k, v]) => `[${k} : ${JSON.stringify(v)}]`).join(' ')}`);
  const out: RootMapping = {};
  for (const [k, v] of Object.entries(body)) {
    if (k === 'dynamic') out.dynamic = parseDynamic(v);
    else if (k === 'properties') out.properties = parseProperties(v, '', opts);
    else out[k] = v;
  }
  if (out.dynamic === 'runtime' && opts.distribution === 'opensearch') mapperError('Could not convert [dynamic] to boolean: [runtime]');
  return out;
}

function describe(value: unknown): string {
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function mergeField(path: string, into: FieldMapping, from: FieldMapping): FieldMapping {
  const intoObject = isObjectMapping(into);
  if (intoObject !== isObjectMapping(from)) {
    return intoObject ? illegal(`can't merge a non object mapping [${path}] with an object mapping`) : illegal(`mapper [${path}] cannot be changed from type [${into.type}] to [object]`);
  }
  if (intoObject) {
    if ((into.type === 'nested') !== (from.type === 'nested') && from.type !== undefined) illegal(`can't merge a non-nested mapping [${path}] with a nested mapping`);
    if (from.enabled !== undefined && from.enabled !== (into.enabled ?? true)) illegal(`the [enabled] parameter can't be updated for the object mapping [${path}]`);
    const out: FieldMapping = { ...into };
    if (from.dynamic !== undefined) out.dynamic = from.dynamic;
    if (from.properties) out.properties = mergeProperties(path + '.', into.properties ?? {}, from.properties);
    return out;
  }
  if (into.type !== from.type) return illegal(`mapper [${path}] cannot be changed from type [${into.type}] to [${from.type}]`);
  const conflicts: string[] = [];
  for (const k of new Set([...Object.keys(into), ...Object.keys(from)])) {
    if (k === 'type' || UPDATABLE.has(k)) continue;
    if (JSON.stringify(into[k]) !== JSON.stringify(from[k])) conflicts.push(`Cannot update parameter [${k}] from [${describe(into[k] ?? 'default')}] to [${describe(from[k] ?? 'default')}]`);
  }
  if (conflicts.length > 0) illegal(`Mapper for [${path}] conflicts with existing mapper:\n\t${conflicts.join('\n\t')}`);
  const out: FieldMapping = { ...into, ...from };
  if (into.fields || from.fields) out.fields = mergeProperties(path + '.', into.fields ?? {}, from.fields ?? {});
  return out;
}

function illegal(reason: string): never {
  throw illegalArgument(reason);
}

function mergeProperties(prefix: string, into: Record<string, FieldMapping>, from: Record<string, FieldMapping>): Record<string, FieldMapping> {
  const out = { ...into };
  for (const [name, m] of Object.entries(from)) out[name] = out[name] ? mergeField(prefix + name, out[name], m) : m;
  return out;
}

/** `PUT _mapping` and template composition: `from` added to `into`; conflicting changes are 400 illegal_argument_exception. */
export function mergeMappings(into: RootMapping, from: RootMapping): RootMapping {
  const out: RootMapping = { ...into, ...from };
  if (into.properties || from.properties) out.properties = mergeProperties('', into.properties ?? {}, from.properties ?? {});
  return out;
}

/** Field path → type family (multi-fields included as `field.sub`); what searches and aggregations resolve fields with. */
export function flatten(root: RootMapping, opts: MappingOptions): Map<string, FieldType> {
  const out = new Map<string, FieldType>();
  const walk = (props: Record<string, FieldMapping> | undefined, prefix: string) => {
    for (const [name, m] of Object.entries(props ?? {})) {
      const path = prefix + name;
      if (isObjectMapping(m)) {
        out.set(path, 'object');
        walk(m.properties, path + '.');
        continue;
      }
      out.set(path, leafFamily(m.type!, opts) ?? 'keyword');
      for (const [sub, sm] of Object.entries(m.fields ?? {})) out.set(`${path}.${sub}`, leafFamily(sm.type!, opts) ?? 'keyword');
    }
  };
  walk(root.properties, '');
  return out;
}

/** The mapping as `GET _mapping` shows it: an object mapper names its type only when it has no properties, as the real serialiser does. */
export function renderMapping(root: RootMapping): Record<string, unknown> {
  const field = (m: FieldMapping): Record<string, unknown> => {
    if (!isObjectMapping(m)) return { ...m };
    const out: Record<string, unknown> = {};
    const props = m.properties ?? {};
    if (m.type === 'nested' || Object.keys(props).length === 0) out.type = m.type ?? 'object';
    if (m.dynamic !== undefined) out.dynamic = m.dynamic;
    if (m.enabled === false) out.enabled = false;
    if (Object.keys(props).length > 0) out.properties = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, field(v)]));
    return out;
  };
  const out: Record<string, unknown> = { ...root };
  if (root.properties) out.properties = Object.fromEntries(Object.entries(root.properties).map(([k, v]) => [k, field(v)]));
  return out;
}
