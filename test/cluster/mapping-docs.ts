/**
 * What indexing a document does to the mappings, as the real document parser does it: values are
 * checked against their mapped types, unmapped fields follow the `dynamic` setting in force where they
 * appear (`true` maps them, `false` and `runtime` leave them unindexed, `strict` rejects the
 * document), and errors carry the real types, reasons and value locations. Nothing changes unless the
 * whole document is accepted.
 */
import type { estypes } from '@elastic/elasticsearch';
import { ClusterHttpError, errorBody } from './errors.ts';
import { isObjectMapping, type Dynamic, type FieldMapping, type MappingOptions, type RootMapping } from './mapping.ts';
import { parseAbsolute } from './datemath.ts';
import { locate } from './json-location.ts';

export interface DocumentContext extends MappingOptions {
  id: string;
  /** The JSON text the source was parsed from, for error locations; JSON.stringify(source) when absent. */
  raw?: string;
}

type Json = Record<string, unknown>;
type ErrorCause = estypes.ErrorCause;
type RawPath = Array<string | number>;

const METADATA_FIELDS = new Set(['_id', '_index', '_source', '_seq_no', '_primary_term', '_version', '_routing', '_ignored', '_field_names', '_tier', '_data_stream_timestamp']);

const isPlainObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Java's Map/List toString, which is how the real error previews a non-scalar value. */
function javaString(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(javaString).join(', ')}]`;
  if (isPlainObject(v)) return `{${Object.entries(v).map(([k, x]) => `${k}=${javaString(x)}`).join(', ')}}`;
  return String(v);
}

function dynamicMappingFor(value: unknown): FieldMapping {
  if (typeof value === 'number') return { type: Number.isInteger(value) ? 'long' : 'float' };
  if (typeof value === 'boolean') return { type: 'boolean' };
  if (typeof value === 'string' && /^\d{4}[-/]\d{2}[-/]\d{2}/.test(value) && parseAbsolute(value.replaceAll('/', '-')) !== undefined) return { type: 'date' };
  return { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } };
}

/** Why `value` does not fit a field of `type`, as the real mappers word it; undefined when it fits. */
function misfit(type: string, value: unknown): ErrorCause | undefined {
  switch (type) {
    case 'long': case 'integer': case 'short': case 'byte': case 'unsigned_long':
    case 'double': case 'float': case 'half_float': case 'scaled_float':
      if (typeof value === 'number') return undefined;
      if (typeof value === 'boolean') return { type: 'illegal_argument_exception', reason: `Current token (VALUE_${String(value).toUpperCase()}) not numeric, can not use numeric value accessors` };
      return /^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/.test(String(value)) ? undefined : { type: 'illegal_argument_exception', reason: `For input string: "${String(value)}"` };
    case 'date': case 'date_nanos':
      if (typeof value === 'number' || (typeof value === 'string' && parseAbsolute(value) !== undefined)) return undefined;
      return {
        type: 'illegal_argument_exception',
        reason: `failed to parse date field [${String(value)}] with format [strict_date_optional_time||epoch_millis]`,
        caused_by: { type: 'date_time_parse_exception', reason: 'Failed to parse with all enclosed parsers' },
      };
    case 'boolean':
      return value === true || value === false || value === 'true' || value === 'false' || value === '' ? undefined : { type: 'illegal_argument_exception', reason: `Failed to parse value [${String(value)}] as only [true] or [false] are allowed.` };
    default:
      return undefined;
  }
}

/**
 * Checks `source` against `root` and returns the mappings with the fields dynamic mapping adds, or
 * undefined when it adds none. Throws the 400 the real node answers (strict_dynamic_mapping_exception,
 * document_parsing_exception on Elasticsearch, mapper_parsing_exception on OpenSearch).
 */
export function applyDocument(root: RootMapping, source: Json, ctx: DocumentContext): RootMapping | undefined {
  let current = root;
  let cloned = false;
  const es = ctx.distribution === 'elasticsearch';
  const raw = () => ctx.raw ?? JSON.stringify(source);

  const fail = (type: string, reason: string, at: RawPath, cause?: ErrorCause): never => {
    const loc = es ? locate(raw(), at) : undefined;
    const full = loc ? `[${loc}] ${reason}` : reason;
    throw new ClusterHttpError(400, errorBody(400, cause ? { type, reason: full, caused_by: cause } : { type, reason: full }));
  };
  const parseError = es ? 'document_parsing_exception' : 'mapper_parsing_exception';

  const propsAt = (objPath: string[]): Record<string, FieldMapping> | undefined => {
    let props = current.properties;
    for (const p of objPath) props = props?.[p]?.properties;
    return props;
  };
  const add = (objPath: string[], name: string, mapping: FieldMapping) => {
    if (!cloned) {
      current = structuredClone(current);
      cloned = true;
    }
    let holder: { properties?: Record<string, FieldMapping> } = current;
    for (const p of objPath) holder = holder.properties![p]!;
    (holder.properties ??= {})[name] = mapping;
  };

  const field = (objPath: string[], dynamic: Dynamic, key: string, value: unknown, at: RawPath): void => {
    // `{"a.b": 1}` is `{"a": {"b": 1}}` to the mapper.
    const parts = key.split('.');
    const name = parts.pop()!;
    let path = objPath;
    for (const p of parts) {
      const m = propsAt(path)?.[p];
      if (m && !isObjectMapping(m)) fail(parseError, `Could not dynamically add mapping for field [${[...path, p, name].join('.')}]. Existing mapping for [${[...path, p].join('.')}] must be of type object but found [${m.type}].`, at);
      if (!m) {
        if (dynamic === 'strict') fail('strict_dynamic_mapping_exception', `mapping set to strict, dynamic introduction of [${p}] within [${path.join('.') || '_doc'}] is not allowed`, at);
        if (dynamic !== 'true') return;
        add(path, p, {});
      } else if (m.enabled === false) return;
      else dynamic = m.dynamic ?? dynamic;
      path = [...path, p];
    }
    const fullPath = [...path, name].join('.');
    const existing = propsAt(path)?.[name];
    if (!existing) {
      if (dynamic === 'strict') fail('strict_dynamic_mapping_exception', `mapping set to strict, dynamic introduction of [${name}] within [${path.join('.') || '_doc'}] is not allowed`, at);
      if (dynamic !== 'true') return;
    }
    const values = Array.isArray(value) ? value.flat(Infinity) : [value];
    values.forEach((v, n) => {
      const vAt = Array.isArray(value) ? [...at, n] : at;
      if (v === null || v === undefined) return;
      let m = propsAt(path)?.[name];
      if (!m) {
        m = isPlainObject(v) ? {} : dynamicMappingFor(v);
        add(path, name, m);
      }
      if (isObjectMapping(m)) {
        if (m.enabled === false) return;
        if (!isPlainObject(v)) fail(parseError, `object mapping for [${fullPath}] tried to parse field [${name}] as object, but found a concrete value`, vAt);
        for (const [k, x] of Object.entries(v)) field([...path, name], m.dynamic ?? dynamic, k, x, [...vAt, k]);
        return;
      }
      if (m.type === 'flattened' || m.type === 'flat_object') return;
      const preview = `in document with id '${ctx.id}'. Preview of field's value: '${javaString(v)}'`;
      if (isPlainObject(v)) {
        const loc = locate(raw(), vAt) ?? '1:1';
        fail(parseError, `failed to parse field [${fullPath}] of type [${m.type}] ${preview}`, vAt, { type: 'illegal_state_exception', reason: `Can't get text on a START_OBJECT at ${loc}` });
      }
      const why = misfit(m.type!, v);
      if (why) fail(parseError, `failed to parse field [${fullPath}] of type [${m.type}] ${preview}`, vAt, why);
    });
  };

  const rootDynamic: Dynamic = root.dynamic ?? 'true';
  for (const [k, v] of Object.entries(source)) {
    if (METADATA_FIELDS.has(k)) fail(parseError, `Field [${k}] is a metadata field and cannot be added inside a document. Use the index API request parameters.`, [k]);
    field([], rootDynamic, k, v, [k]);
  }
  return cloned ? current : undefined;
}
