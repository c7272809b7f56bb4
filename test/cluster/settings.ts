/**
 * Index settings: normalised as the real nodes keep them (flat `index.*` keys, string values), checked
 * against the settings the test cluster knows (an unknown one is the real 400), and read for what
 * changes behaviour here: `index.hidden`, `index.refresh_interval` and `index.number_of_replicas`
 * (the `_shards.total` of write answers). Every index has one primary shard whatever
 * `number_of_shards` says; the setting is kept and shown.
 */
import { illegalArgument } from './errors.ts';

/** Settings keys accepted verbatim (exact keys, or prefixes ending in a dot). */
const KNOWN = [
  'index.number_of_shards', 'index.number_of_replicas', 'index.hidden', 'index.refresh_interval', 'index.auto_expand_replicas',
  'index.max_result_window', 'index.max_inner_result_window', 'index.codec', 'index.priority', 'index.number_of_routing_shards',
  'index.default_pipeline', 'index.final_pipeline', 'index.query.default_field', 'index.write.wait_for_active_shards',
  'index.search.idle.after', 'index.mapping.', 'index.routing.', 'index.translog.', 'index.sort.', 'index.analysis.', 'index.blocks.',
  'index.lifecycle.', 'index.plugins.', 'index.replication.type', 'index.store.type', 'index.unassigned.', 'index.merge.',
];

/** Settings a request may not set (the node sets them). */
const PRIVATE = new Set(['index.uuid', 'index.creation_date', 'index.provided_name', 'index.version.created']);

export interface IndexSettings {
  /** Every setting as `index.x` → string, as given (defaults are not stored). */
  flat: Record<string, string>;
}

function flattenInto(out: Record<string, string>, value: unknown, prefix: string): void {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flattenInto(out, v, prefix ? `${prefix}.${k}` : k);
    return;
  }
  const key = prefix.startsWith('index.') ? prefix : `index.${prefix}`;
  out[key] = Array.isArray(value) ? value.map(String).join(',') : String(value);
}

/** A time value as settings take it (`1s`, `500ms`, `-1`); throws the real parse error otherwise. */
export function parseTimeValue(text: string, setting: string): number {
  if (text === '-1') return -1;
  if (text === '0') return 0;
  const m = /^(\d+(?:\.\d+)?)\s*(nanos|micros|ms|s|m|h|d)$/.exec(text.trim());
  if (!m) throw illegalArgument(`failed to parse setting [${setting}] with value [${text}] as a time value: unit is missing or unrecognized`);
  const factor = { nanos: 1e-6, micros: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms'];
  return Number(m[1]) * factor;
}

function checkInt(flat: Record<string, string>, key: string, min: number): void {
  const v = flat[key];
  if (v === undefined) return;
  const n = Number(v);
  if (!Number.isInteger(n)) throw illegalArgument(`Failed to parse value [${v}] for setting [${key}]`);
  if (n < min) throw illegalArgument(`Failed to parse value [${v}] for setting [${key}] must be >= ${min}`);
}

/** Parses a `settings` body (nested or dotted, with or without the `index.` prefix). */
export function parseSettings(body: unknown): IndexSettings {
  const flat: Record<string, string> = {};
  if (body !== undefined && body !== null) flattenInto(flat, body, '');
  for (const key of Object.keys(flat)) {
    if (PRIVATE.has(key)) throw illegalArgument(`private index setting [${key}] can not be set explicitly`);
    if (!KNOWN.some((k) => (k.endsWith('.') ? key.startsWith(k) : key === k))) {
      throw illegalArgument(`unknown setting [${key}] please check that any required plugins are installed, or check the breaking changes documentation for removed settings`);
    }
  }
  checkInt(flat, 'index.number_of_shards', 1);
  checkInt(flat, 'index.number_of_replicas', 0);
  const hidden = flat['index.hidden'];
  if (hidden !== undefined && hidden !== 'true' && hidden !== 'false') throw illegalArgument(`Failed to parse value [${hidden}] as only [true] or [false] are allowed.`);
  if (flat['index.refresh_interval'] !== undefined) parseTimeValue(flat['index.refresh_interval'], 'index.refresh_interval');
  return { flat };
}

/** Later settings override earlier ones (template order, then the create request). */
export function mergeSettings(...all: IndexSettings[]): IndexSettings {
  return { flat: Object.assign({}, ...all.map((s) => s.flat)) as Record<string, string> };
}

export function isHidden(s: IndexSettings): boolean {
  return s.flat['index.hidden'] === 'true';
}

/** Milliseconds between periodic refreshes (-1: only explicit refreshes make writes searchable); undefined when not set. */
export function refreshIntervalMs(s: IndexSettings): number | undefined {
  const v = s.flat['index.refresh_interval'];
  return v === undefined ? undefined : parseTimeValue(v, 'index.refresh_interval');
}

export function replicas(s: IndexSettings): number {
  return Number(s.flat['index.number_of_replicas'] ?? 1);
}

/** The `settings` object of `GET /{index}`: nested, with the values the node adds itself. */
export function renderSettings(s: IndexSettings, extra: { name: string; uuid: string; created: number; versionCreated: string }): Record<string, unknown> {
  const flat: Record<string, string> = {
    'index.number_of_shards': '1',
    'index.number_of_replicas': '1',
    ...s.flat,
    'index.provided_name': extra.name,
    'index.creation_date': String(extra.created),
    'index.uuid': extra.uuid,
    'index.version.created': extra.versionCreated,
  };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flat)) {
    const parts = key.split('.');
    let node = out;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
    node[parts.at(-1)!] = value;
  }
  return out;
}
