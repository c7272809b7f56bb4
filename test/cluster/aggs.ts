/**
 * Aggregations over the matched documents: terms, avg, sum, min, max, value_count and date_histogram
 * (fixed_interval / calendar_interval), each with nested sub-aggregations. Output shapes are typed with
 * the client's own `estypes` so the compiler checks them against what the clients expect.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { IndexData } from './store.ts';
import { httpError, parsingError, searchPhaseError } from './errors.ts';
import { compare, fieldValues, resolveField } from './fields.ts';
import { addUnit, formatDate, parseDate, roundDown } from './datemath.ts';

export interface AggDoc {
  index: IndexData;
  source: Record<string, unknown>;
}

type Json = Record<string, unknown>;
type Aggregate = estypes.AggregationsAggregate;
type Value = string | number | boolean;

const METRICS = new Set(['avg', 'sum', 'min', 'max', 'value_count']);
const BUCKETS = new Set(['terms', 'date_histogram']);

/** Validates an `aggs` object up front so bad requests fail even when nothing matches. */
export function validateAggs(aggs: unknown): void {
  if (aggs === undefined) return;
  if (typeof aggs !== 'object' || aggs === null || Array.isArray(aggs)) throw parsingError('Expected [START_OBJECT] under [aggregations]');
  for (const [name, spec] of Object.entries(aggs as Json)) {
    const { type, body, sub } = splitAgg(name, spec);
    if (!METRICS.has(type) && !BUCKETS.has(type)) throw parsingError(`Unknown aggregation type [${type}]`);
    if (typeof body.field !== 'string') throw httpError(400, 'illegal_argument_exception', `Required one of fields [field, script], but none were specified. [${name}]`);
    if (sub !== undefined && METRICS.has(type)) throw httpError(400, 'aggregation_initialization_exception', `Aggregator [${name}] of type [${type}] cannot accept sub-aggregations`);
    if (type === 'date_histogram') intervalOf(body);
    validateAggs(sub);
  }
}

function splitAgg(name: string, spec: unknown): { type: string; body: Json; sub: unknown } {
  if (typeof spec !== 'object' || spec === null) throw parsingError(`Expected [START_OBJECT] under [${name}]`);
  const { aggs, aggregations, meta: _meta, ...rest } = spec as Json;
  const types = Object.keys(rest);
  if (types.length !== 1) throw parsingError(`Expected exactly one aggregation type under [${name}], found [${types.join(', ')}]`);
  return { type: types[0]!, body: (rest[types[0]!] ?? {}) as Json, sub: aggs ?? aggregations };
}

export function runAggs(aggs: unknown, docs: AggDoc[], now: number): Record<string, Aggregate> {
  const out: Record<string, Aggregate> = {};
  for (const [name, spec] of Object.entries((aggs ?? {}) as Json)) {
    const { type, body, sub } = splitAgg(name, spec);
    out[name] = runOne(name, type, body, sub, docs, now);
  }
  return out;
}

function runOne(name: string, type: string, body: Json, sub: unknown, docs: AggDoc[], now: number): Aggregate {
  const field = body.field as string;
  switch (type) {
    case 'terms':
      return terms(name, field, body, sub, docs, now);
    case 'date_histogram':
      return dateHistogram(field, body, sub, docs, now);
    default:
      return metric(type, field, docs, now);
  }
}

function numericValues(field: string, docs: AggDoc[], now: number): { values: number[]; isDate: boolean } {
  const values: number[] = [];
  let isDate = false;
  for (const d of docs) {
    const { type } = resolveField(d.index, field);
    if (type === 'date') isDate = true;
    for (const v of fieldValues(d.index, d.source, field, now)) {
      if (typeof v === 'number') values.push(v);
      else if (typeof v === 'boolean') values.push(v ? 1 : 0);
    }
  }
  return { values, isDate };
}

function metric(type: string, field: string, docs: AggDoc[], now: number): Aggregate {
  if (type === 'value_count') {
    let n = 0;
    for (const d of docs) n += fieldValues(d.index, d.source, field, now).length;
    return { value: n } satisfies estypes.AggregationsValueCountAggregate;
  }
  const { values, isDate } = numericValues(field, docs, now);
  if (type === 'sum') return { value: values.reduce((a, b) => a + b, 0) } satisfies estypes.AggregationsSumAggregate;
  if (values.length === 0) return { value: null } satisfies estypes.AggregationsAvgAggregate;
  let value: number;
  if (type === 'avg') value = values.reduce((a, b) => a + b, 0) / values.length;
  else value = values.reduce((a, b) => (type === 'min' ? Math.min(a, b) : Math.max(a, b)));
  return isDate && type !== 'avg' ? { value, value_as_string: formatDate(value) } : { value };
}

function terms(name: string, field: string, body: Json, sub: unknown, docs: AggDoc[], now: number): Aggregate {
  const size = body.size === undefined ? 10 : Number(body.size);
  const minDocCount = body.min_doc_count === undefined ? 1 : Number(body.min_doc_count);
  const groups = new Map<Value, AggDoc[]>();
  let keyType: string | undefined;
  for (const d of docs) {
    const { type } = resolveField(d.index, field);
    if (type === 'text') {
      throw searchPhaseError({
        type: 'illegal_argument_exception',
        reason: `Fielddata is disabled on [${field}] in [${d.index.name}]. Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead.`,
      });
    }
    keyType ??= type;
    const values = new Set(fieldValues(d.index, d.source, field, now));
    if (values.size === 0 && body.missing !== undefined) values.add(body.missing as Value);
    for (const v of values) {
      const list = groups.get(v) ?? [];
      list.push(d);
      groups.set(v, list);
    }
  }
  let buckets = [...groups].map(([key, group]) => ({ key, group, sub: runAggs(sub, group, now) }));
  buckets = buckets.filter((b) => b.group.length >= minDocCount);
  buckets.sort(termsOrder(name, body.order));
  const shown = buckets.slice(0, size);
  const other = buckets.slice(size).reduce((n, b) => n + b.group.length, 0);
  const out: estypes.AggregationsStringTermsAggregate = {
    doc_count_error_upper_bound: 0,
    sum_other_doc_count: other,
    buckets: shown.map((b) => termsBucket(b.key, keyType, b.group.length, b.sub)) as estypes.AggregationsStringTermsBucket[],
  };
  return out;
}

function termsBucket(key: Value, type: string | undefined, count: number, sub: Record<string, Aggregate>): Json {
  if (type === 'date' && typeof key === 'number') return { key, key_as_string: formatDate(key), doc_count: count, ...sub };
  if (typeof key === 'boolean') return { key: key ? 1 : 0, key_as_string: String(key), doc_count: count, ...sub };
  return { key, doc_count: count, ...sub };
}

type Sortable = { key: Value; group: AggDoc[]; sub: Record<string, Aggregate> };

/** `order` may be one `{path: dir}` or an array of them; ties always break on the key ascending. */
function termsOrder(name: string, order: unknown): (a: Sortable, b: Sortable) => number {
  const specs = (order === undefined ? [{ _count: 'desc' }] : Array.isArray(order) ? order : [order]) as Json[];
  const keys = specs.flatMap((s) => Object.entries(s)).map(([path, dir]) => ({ path, desc: String(dir).toLowerCase() === 'desc' }));
  return (a, b) => {
    for (const { path, desc } of keys) {
      const c = compare(orderValue(name, a, path), orderValue(name, b, path));
      if (c !== 0) return desc ? -c : c;
    }
    return compare(a.key, b.key);
  };
}

function orderValue(name: string, b: Sortable, path: string): Value {
  if (path === '_count') return b.group.length;
  if (path === '_key' || path === '_term') return b.key;
  const [aggName, prop = 'value'] = path.split('.');
  const agg = b.sub[aggName!] as Json | undefined;
  if (!agg) throw searchPhaseError({ type: 'aggregation_execution_exception', reason: `Invalid aggregation order path [${path}] for [${name}]` });
  const v = agg[prop];
  return typeof v === 'number' ? v : Number.NEGATIVE_INFINITY;
}

const CALENDAR: Record<string, string> = {
  minute: 'm', '1m': 'm', hour: 'h', '1h': 'h', day: 'd', '1d': 'd', week: 'w', '1w': 'w',
  month: 'M', '1M': 'M', quarter: 'q', '1q': 'q', year: 'y', '1y': 'y',
};

type Interval = { kind: 'fixed'; ms: number } | { kind: 'calendar'; unit: string };

function intervalOf(body: Json): Interval {
  if (typeof body.fixed_interval === 'string') {
    const m = /^(\d+)(ms|s|m|h|d)$/.exec(body.fixed_interval);
    if (!m) throw httpError(400, 'illegal_argument_exception', `failed to parse setting [date_histogram.fixedInterval] with value [${body.fixed_interval}] as a time value: unit is missing or unrecognized`);
    const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
    return { kind: 'fixed', ms: Number(m[1]) * unitMs[m[2]!]! };
  }
  if (typeof body.calendar_interval === 'string') {
    const unit = CALENDAR[body.calendar_interval];
    if (!unit) throw httpError(400, 'illegal_argument_exception', `The supplied interval [${body.calendar_interval}] could not be parsed as a calendar interval.`);
    return { kind: 'calendar', unit };
  }
  if (body.interval !== undefined) throw httpError(400, 'illegal_argument_exception', 'The [interval] parameter was removed in 8.0; use [fixed_interval] or [calendar_interval].');
  throw httpError(400, 'illegal_argument_exception', 'Invalid interval specified, must be non-null and non-empty');
}

function bucketStart(t: number, iv: Interval): number {
  if (iv.kind === 'fixed') return Math.floor(t / iv.ms) * iv.ms;
  if (iv.unit === 'q') {
    const d = new Date(t);
    return Date.UTC(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) * 3, 1);
  }
  return roundDown(t, iv.unit);
}

function nextBucket(t: number, iv: Interval): number {
  if (iv.kind === 'fixed') return t + iv.ms;
  return iv.unit === 'q' ? addUnit(t, 'M', 3) : addUnit(t, iv.unit, 1);
}

function dateHistogram(field: string, body: Json, sub: unknown, docs: AggDoc[], now: number): Aggregate {
  const iv = intervalOf(body);
  const minDocCount = body.min_doc_count === undefined ? 0 : Number(body.min_doc_count);
  const groups = new Map<number, AggDoc[]>();
  for (const d of docs) {
    const seen = new Set<number>();
    for (const v of fieldValues(d.index, d.source, field, now)) {
      if (typeof v !== 'number') continue;
      const key = bucketStart(v, iv);
      if (seen.has(key)) continue;
      seen.add(key);
      const list = groups.get(key) ?? [];
      list.push(d);
      groups.set(key, list);
    }
  }
  let keys = [...groups.keys()].sort((a, b) => a - b);
  if (minDocCount === 0) {
    const bounds = body.extended_bounds as { min?: unknown; max?: unknown } | undefined;
    let lo = keys[0];
    let hi = keys[keys.length - 1];
    if (bounds?.min !== undefined) lo = Math.min(lo ?? Infinity, bucketStart(parseDate(bounds.min, now), iv));
    if (bounds?.max !== undefined) hi = Math.max(hi ?? -Infinity, bucketStart(parseDate(bounds.max, now, true), iv));
    if (lo !== undefined && hi !== undefined) {
      keys = [];
      // Bounded: a runaway interval/bounds pair must not hang the test cluster.
      for (let k = lo; k <= hi && keys.length < 100_000; k = nextBucket(k, iv)) keys.push(k);
    }
  }
  const buckets: estypes.AggregationsDateHistogramBucket[] = [];
  for (const key of keys) {
    const group = groups.get(key) ?? [];
    if (group.length < minDocCount) continue;
    buckets.push({ key_as_string: formatDate(key), key, doc_count: group.length, ...runAggs(sub, group, now) } as estypes.AggregationsDateHistogramBucket);
  }
  if (body.order !== undefined && JSON.stringify(body.order).includes('"desc"')) buckets.reverse();
  return { buckets } satisfies estypes.AggregationsDateHistogramAggregate;
}
