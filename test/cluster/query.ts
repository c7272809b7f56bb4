/**
 * Query DSL evaluation: match_all, match_none, term, terms, ids, range (with date math), exists, match,
 * bool (must/filter/should/must_not, minimum_should_match), prefix and a minimal query_string. The query is
 * compiled once (so malformed queries fail with `parsing_exception` even against an empty index) and
 * evaluated per document. Scoring is not modelled: every hit scores 1.0.
 */
import type { IndexData } from './store.ts';
import { parsingError } from './errors.ts';
import { analyse, coerce, compare, fieldValues, resolveField, rawValues } from './fields.ts';
import { parseDate } from './datemath.ts';
import type { FieldType } from './mapping.ts';

export type Matcher = (index: IndexData, id: string, source: Record<string, unknown>) => boolean;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The single `{type: body}` entry of a query clause. */
function single(clause: unknown, where: string): [string, unknown] {
  if (!isObject(clause)) throw parsingError(`[${where}] query malformed, expected an object`);
  const keys = Object.keys(clause);
  if (keys.length !== 1) throw parsingError(`[${where}] query malformed, no start_object after query name`);
  return [keys[0]!, clause[keys[0]!]];
}

/** `{field: value}` or `{field: {value|query: …, …options}}`, as term/match/prefix take them. */
function fieldAndBody(body: unknown, type: string, valueKey: string): [string, Json] {
  if (!isObject(body)) throw parsingError(`[${type}] query malformed, no start_object after query name`);
  const entries = Object.entries(body).filter(([k]) => k !== 'boost' && k !== '_name');
  if (entries.length !== 1) throw parsingError(`[${type}] query doesn't support multiple fields, found [${entries.map(([k]) => k).join('] and [')}]`);
  const [field, spec] = entries[0]!;
  return [field, isObject(spec) ? spec : { [valueKey]: spec }];
}

export function compileQuery(query: unknown, now: number): Matcher {
  if (query === undefined) return () => true;
  const [type, body] = single(query, 'query');
  switch (type) {
    case 'match_all':
      return () => true;
    case 'match_none':
      return () => false;
    case 'term':
      return termQuery(body, now);
    case 'terms':
      return termsQuery(body, now);
    case 'ids': {
      const values = new Set(((body as Json)?.values as string[] | undefined) ?? []);
      return (_i, id) => values.has(id);
    }
    case 'range':
      return rangeQuery(body, now);
    case 'exists': {
      const field = (body as Json)?.field;
      if (typeof field !== 'string') throw parsingError('[exists] must be provided with a [field]');
      return (index, _id, source) => fieldValues(index, source, field, now).length > 0;
    }
    case 'match':
      return matchQuery(body, now);
    case 'prefix': {
      const [field, spec] = fieldAndBody(body, 'prefix', 'value');
      const prefix = String(spec.value);
      return (index, _id, source) => anyValue(index, source, field, now, (v, t) => (t === 'text' ? analyse(String(v)) : [String(v)]).some((s) => s.startsWith(prefix)));
    }
    case 'bool':
      return boolQuery(body, now);
    case 'query_string':
      return queryString(body, now);
    default:
      throw parsingError(`unknown query [${type}]`);
  }
}

function anyValue(
  index: IndexData,
  source: Json,
  field: string,
  now: number,
  test: (v: string | number | boolean, type: string | undefined) => boolean,
): boolean {
  const { type } = resolveField(index, field);
  return fieldValues(index, source, field, now).some((v) => test(v, type));
}

/** Exact match; on a text field the term must equal one analysed token, as in Elasticsearch. */
function termMatches(index: IndexData, source: Json, field: string, wanted: unknown, now: number, caseInsensitive = false): boolean {
  const { type } = resolveField(index, field);
  if (type === undefined) return false;
  const target = coerce(wanted, type, now);
  if (target === undefined) return false;
  return fieldValues(index, source, field, now).some((v) => {
    if (type === 'text') return analyse(String(v)).includes(String(target));
    if (caseInsensitive && typeof v === 'string') return v.toLowerCase() === String(target).toLowerCase();
    return v === target;
  });
}

function termQuery(body: unknown, now: number): Matcher {
  const [field, spec] = fieldAndBody(body, 'term', 'value');
  if (!('value' in spec)) throw parsingError('[term] query does not support [' + Object.keys(spec)[0] + ']');
  return (index, _id, source) => termMatches(index, source, field, spec.value, now, spec.case_insensitive === true);
}

function termsQuery(body: unknown, now: number): Matcher {
  if (!isObject(body)) throw parsingError('[terms] query malformed');
  const entries = Object.entries(body).filter(([k]) => k !== 'boost' && k !== '_name');
  if (entries.length !== 1 || !Array.isArray(entries[0]![1])) throw parsingError('[terms] query requires a field with an array of values');
  const [field, values] = entries[0] as [string, unknown[]];
  return (index, _id, source) => values.some((v) => termMatches(index, source, field, v, now));
}

function rangeQuery(body: unknown, now: number): Matcher {
  const [field, spec] = fieldAndBody(body, 'range', 'gte');
  const known = new Set(['gt', 'gte', 'lt', 'lte', 'from', 'to', 'include_lower', 'include_upper', 'format', 'time_zone', 'boost', 'relation']);
  for (const k of Object.keys(spec)) if (!known.has(k)) throw parsingError(`[range] query does not support [${k}]`);
  // The bounds depend only on the field's type: parsed once per type, not once per document.
  const checksByType = new Map<string, Array<(x: string | number | boolean) => boolean>>();
  const checksFor = (type: FieldType) => {
    let checks = checksByType.get(type);
    if (checks) return checks;
    const bound = (v: unknown, roundUp: boolean) => (type === 'date' ? parseDate(v, now, roundUp) : coerce(v, type, now));
    checks = [];
    if (spec.gt !== undefined && spec.gt !== null) { const b = bound(spec.gt, true)!; checks.push((x) => compare(x, b) > 0); }
    if (spec.gte !== undefined && spec.gte !== null) { const b = bound(spec.gte, false)!; checks.push((x) => compare(x, b) >= 0); }
    if (spec.lt !== undefined && spec.lt !== null) { const b = bound(spec.lt, false)!; checks.push((x) => compare(x, b) < 0); }
    if (spec.lte !== undefined && spec.lte !== null) { const b = bound(spec.lte, true)!; checks.push((x) => compare(x, b) <= 0); }
    checksByType.set(type, checks);
    return checks;
  };
  return (index, _id, source) => {
    const { type } = resolveField(index, field);
    if (type === undefined) return false;
    const checks = checksFor(type);
    return fieldValues(index, source, field, now).some((v) => checks.every((c) => c(v)));
  };
}

function matchQuery(body: unknown, now: number): Matcher {
  const [field, spec] = fieldAndBody(body, 'match', 'query');
  if (!('query' in spec)) throw parsingError('[match] requires query value');
  const operator = String(spec.operator ?? 'or').toLowerCase();
  return (index, _id, source) => {
    const { type } = resolveField(index, field);
    if (type !== 'text') return termMatches(index, source, field, spec.query, now);
    const wanted = analyse(String(spec.query));
    const have = new Set(fieldValues(index, source, field, now).flatMap((v) => analyse(String(v))));
    return operator === 'and' ? wanted.every((t) => have.has(t)) : wanted.some((t) => have.has(t));
  };
}

function clauses(v: unknown): unknown[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function boolQuery(body: unknown, now: number): Matcher {
  if (!isObject(body)) throw parsingError('[bool] query malformed');
  const known = new Set(['must', 'filter', 'should', 'must_not', 'minimum_should_match', 'boost', '_name', 'adjust_pure_negative']);
  for (const k of Object.keys(body)) if (!known.has(k)) throw parsingError(`[bool] query does not support [${k}]`);
  const must = [...clauses(body.must), ...clauses(body.filter)].map((q) => compileQuery(q, now));
  const mustNot = clauses(body.must_not).map((q) => compileQuery(q, now));
  const should = clauses(body.should).map((q) => compileQuery(q, now));
  const minShould = minimumShouldMatch(body.minimum_should_match, should.length, must.length === 0);
  return (index, id, source) =>
    must.every((m) => m(index, id, source)) &&
    !mustNot.some((m) => m(index, id, source)) &&
    (minShould === 0 || should.filter((m) => m(index, id, source)).length >= minShould);
}

/** Default: 1 when the bool has only should clauses, else 0; supports integers, negatives and percentages. */
function minimumShouldMatch(spec: unknown, optional: number, onlyShould: boolean): number {
  if (spec === undefined || spec === null) return onlyShould && optional > 0 ? 1 : 0;
  const text = String(spec).trim();
  let n: number;
  if (text.endsWith('%')) {
    const pct = Number(text.slice(0, -1));
    n = pct < 0 ? optional + Math.trunc((optional * pct) / 100) : Math.trunc((optional * pct) / 100);
  } else {
    const v = Number(text);
    if (!Number.isInteger(v)) throw parsingError(`[bool] failed to parse minimum_should_match [${text}]`);
    n = v < 0 ? optional + v : v;
  }
  return Math.max(0, Math.min(n, optional));
}

/**
 * A deliberately small query_string: `field:value`, bare words (any text/keyword field), `*`, quoted
 * values, AND/OR (default operator OR) and a leading NOT/`-`. No grouping.
 */
function queryString(body: unknown, now: number): Matcher {
  if (!isObject(body) || typeof body.query !== 'string') throw parsingError('[query_string] must be provided with a [query]');
  const defaultAnd = String(body.default_operator ?? 'or').toLowerCase() === 'and';
  const tokens = body.query.match(/"[^"]*"|\S+/g) ?? [];
  type Term = { negate: boolean; test: Matcher };
  const terms: Term[] = [];
  let useAnd = defaultAnd;
  let negateNext = false;
  for (const token of tokens) {
    if (token === 'AND') { useAnd = true; continue; }
    if (token === 'OR') continue;
    if (token === 'NOT') { negateNext = true; continue; }
    let t = token;
    let negate = negateNext;
    negateNext = false;
    if (t.startsWith('-') || t.startsWith('!')) { negate = true; t = t.slice(1); }
    const colon = t.indexOf(':');
    const field = colon > 0 ? t.slice(0, colon) : typeof body.default_field === 'string' && body.default_field !== '*' ? body.default_field : undefined;
    const value = (colon > 0 ? t.slice(colon + 1) : t).replace(/^"|"$/g, '');
    terms.push({ negate, test: queryStringTerm(field, value, now) });
  }
  if (terms.length === 0) return () => true;
  return (index, id, source) => {
    const results = terms.map((t) => t.test(index, id, source) !== t.negate);
    return useAnd ? results.every(Boolean) : results.some(Boolean);
  };
}

function queryStringTerm(field: string | undefined, value: string, now: number): Matcher {
  if (value === '*') return field ? (index, _id, source) => fieldValues(index, source, field, now).length > 0 : () => true;
  if (/[*?]/.test(value)) return wildcardTerm(field, value, now);
  const words = analyse(value);
  const test = (index: IndexData, source: Json, f: string) => {
    const { type } = resolveField(index, f);
    if (type === 'text') {
      const have = new Set(fieldValues(index, source, f, now).flatMap((v) => analyse(String(v))));
      return words.length > 0 && words.every((w) => have.has(w));
    }
    return termMatches(index, source, f, value, now);
  };
  if (field) return (index, _id, source) => test(index, source, field);
  return (index, _id, source) => [...index.mappings].some(([f, t]) => (t === 'text' || t === 'keyword') && rawValues(source, f).length > 0 && test(index, source, f));
}

/**
 * A query_string term with `*`/`?` wildcards (`*hunder*`): as in Elasticsearch it is not analysed; it
 * matches a whole keyword value, or one token of a text field (lowercased, as the analyser left them).
 */
function wildcardTerm(field: string | undefined, value: string, now: number): Matcher {
  const pattern = value.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  const exact = new RegExp(`^${pattern}$`);
  const lower = new RegExp(`^${pattern.toLowerCase()}$`);
  const test = (index: IndexData, source: Json, f: string) => {
    const { type } = resolveField(index, f);
    const values = fieldValues(index, source, f, now).map(String);
    return type === 'text' ? values.flatMap(analyse).some((w) => lower.test(w)) : values.some((v) => exact.test(v));
  };
  if (field) return (index, _id, source) => test(index, source, field);
  return (index, _id, source) => [...index.mappings].some(([f, t]) => (t === 'text' || t === 'keyword') && rawValues(source, f).length > 0 && test(index, source, f));
}
