/**
 * `GET /_plugins/_notifications/configs` with the plugin's query parameters: a list of ids, filters,
 * sorting and paging over the config items. The plugin runs these as OpenSearch queries; here they run
 * over the items in memory, with text filters matched as case-insensitive words (every word of the
 * filter must appear in the field) rather than through an analyzer. Filters on a config type's own
 * fields (`slack.url`…) are not offered: several of them would search sealed values.
 */
import { z } from 'zod';
import { zodDetail } from '../../error-detail.ts';
import { VigilError } from '../../errors.ts';
import type { ConfigItem } from './configs.ts';

/** The plugin's default and Vigil's bound on `max_items`. */
export const MAX_ITEMS = 1000;

const SORT_FIELDS = ['config_type', 'name', 'description', 'is_enabled', 'last_updated_time_ms', 'created_time_ms'] as const;

const csv = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));
const int = (min: number, max: number) => z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(z.number().int().min(min).max(max));
/** `exact` or `from..to` (either end may be left open), epoch milliseconds. */
const range = z
  .string()
  .regex(/^\d+$|^\d*\.\.\d*$/, 'must be a time in epoch milliseconds, or a range from..to')
  .transform((s) => {
    const [from, to] = s.includes('..') ? s.split('..') : [s, s];
    return { from: from ? Number(from) : -Infinity, to: to ? Number(to) : Infinity };
  });

export const listQuery = z.strictObject({
  config_id: z.string().optional(),
  config_id_list: csv.optional(),
  from_index: int(0, 1_000_000).optional(),
  max_items: int(0, MAX_ITEMS).optional(),
  sort_field: z.enum(SORT_FIELDS).optional(),
  sort_order: z.enum(['asc', 'desc']).optional(),
  config_type: csv.optional(),
  is_enabled: z.enum(['true', 'false']).optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  query: z.string().optional(),
  text_query: z.string().optional(),
  last_updated_time_ms: range.optional(),
  created_time_ms: range.optional(),
});

export type ListQuery = z.infer<typeof listQuery>;

export function parseListQuery(q: unknown): ListQuery {
  const parsed = listQuery.safeParse(q ?? {});
  if (!parsed.success) throw new VigilError('INVALID_REQUEST', 'invalid query parameters; see detail', zodDetail(parsed.error.issues));
  return parsed.data;
}

/** The ids a query asks for by id (`config_id`, `config_id_list`), or null when it asks by filters. */
export function requestedIds(q: ListQuery): string[] | null {
  const ids = [...(q.config_id !== undefined ? [q.config_id] : []), ...(q.config_id_list ?? [])];
  return ids.length > 0 ? [...new Set(ids)] : null;
}

/** Every word of `query` (case-insensitive) appears in one of `texts`. */
function wordsIn(query: string, texts: string[]): boolean {
  const hay = texts.join('\n').toLowerCase();
  return query.toLowerCase().split(/\s+/).filter(Boolean).every((w) => hay.includes(w));
}

/** The clear strings of a config's own object (sealed fields are not in it). */
function stringsOf(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) stringsOf(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) stringsOf(x, out);
  return out;
}

function matches(item: ConfigItem, q: ListQuery): boolean {
  const c = item.config;
  if (q.config_type && !q.config_type.includes(c.config_type)) return false;
  if (q.is_enabled !== undefined && String(c.is_enabled) !== q.is_enabled) return false;
  if (q.name !== undefined && !wordsIn(q.name, [c.name])) return false;
  if (q.description !== undefined && !wordsIn(q.description, [c.description])) return false;
  if (q.text_query !== undefined && !wordsIn(q.text_query, [c.name, c.description])) return false;
  if (q.query !== undefined && !wordsIn(q.query, [c.name, c.description, c.config_type, ...stringsOf(c[c.config_type])])) return false;
  const inRange = (v: number, r: { from: number; to: number } | undefined) => r === undefined || (v >= r.from && v <= r.to);
  return inRange(item.last_updated_time_ms, q.last_updated_time_ms) && inRange(item.created_time_ms, q.created_time_ms);
}

function sortValue(item: ConfigItem, field: (typeof SORT_FIELDS)[number]): string | number {
  if (field === 'last_updated_time_ms' || field === 'created_time_ms') return item[field];
  if (field === 'is_enabled') return item.config.is_enabled ? 1 : 0;
  return item.config[field];
}

/** The plugin's search result: filtered (unless asked by id), sorted (ties by id), one page. */
export function listResult(items: ConfigItem[], q: ListQuery, byId: boolean) {
  const field = q.sort_field ?? 'last_updated_time_ms';
  const dir = q.sort_order === 'desc' ? -1 : 1;
  const hits = (byId ? items : items.filter((i) => matches(i, q))).sort((a, b) => {
    const x = sortValue(a, field);
    const y = sortValue(b, field);
    return (x < y ? -1 : x > y ? 1 : 0) * dir || a.config_id.localeCompare(b.config_id);
  });
  const from = q.from_index ?? 0;
  return { start_index: from, total_hits: hits.length, total_hit_relation: 'eq', config_list: hits.slice(from, from + (q.max_items ?? MAX_ITEMS)) };
}
