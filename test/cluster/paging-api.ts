/**
 * Opening and closing points in time and scrolls, in each product's own API: Elasticsearch's
 * `POST /{index}/_pit` and `DELETE /_pit`, OpenSearch's `POST /{index}/_search/point_in_time` and
 * `DELETE /_search/point_in_time`, and the scroll API both share (`/_search/scroll`).
 */
import type { estypes } from '@elastic/elasticsearch';
import type { API } from '@opensearch-project/opensearch';
import { SearchContexts, snapshotOf } from './contexts.ts';
import { validationError } from './errors.ts';
import { indicesOptionsFrom, resolveIndices } from './resolve.ts';
import type { SearchEnv } from './search.ts';

type Json = Record<string, unknown>;

function shards(n: number): estypes.ShardStatistics {
  return { total: n, successful: n, skipped: 0, failed: 0 };
}

function open(env: SearchEnv, expr: string, q: URLSearchParams) {
  const keepAlive = SearchContexts.keepAlive(q.get('keep_alive'));
  const parts = snapshotOf(resolveIndices(env.store, expr, indicesOptionsFrom(q)), true);
  return { ...env.contexts.openPit(parts, keepAlive), n: parts.length };
}

export function openPitEs(env: SearchEnv, expr: string, q: URLSearchParams): estypes.OpenPointInTimeResponse {
  const { id, n } = open(env, expr, q);
  return { id, _shards: shards(n) };
}

export function closePitEs(env: SearchEnv, body: Json): { status: number; body: estypes.ClosePointInTimeResponse } {
  if (typeof body.id !== 'string') throw validationError('id is empty');
  const freed = env.contexts.free(body.id, 'pit');
  return { status: 200, body: { succeeded: true, num_freed: freed ? 1 : 0 } };
}

export function openPitOs(env: SearchEnv, expr: string, q: URLSearchParams): API.CreatePit_ResponseBody {
  const { id, pit, n } = open(env, expr, q);
  return { pit_id: id, _shards: { total: n, successful: n, skipped: 0, failed: 0 }, creation_time: pit.created };
}

export function closePitsOs(env: SearchEnv, body: Json, all: boolean): API.DeletePit_ResponseBody {
  if (all) return { pits: Array.from({ length: env.contexts.freeAll('pit') }, () => ({ pit_id: '', successful: true })) };
  const ids = Array.isArray(body.pit_id) ? body.pit_id.map(String) : typeof body.pit_id === 'string' ? [body.pit_id] : [];
  if (ids.length === 0) throw validationError('No pit ids specified');
  return { pits: ids.map((pit_id) => ({ pit_id, successful: env.contexts.free(pit_id, 'pit') })) };
}

/** `DELETE /_search/scroll`: 404 when nothing was freed, as ClearScrollResponse reports it. */
export function clearScroll(env: SearchEnv, ids: string[]): { status: number; body: estypes.ClearScrollResponse } {
  if (ids.length === 0) throw validationError('no scroll ids specified');
  const freed = ids.includes('_all') ? env.contexts.freeAll('scroll') : ids.filter((id) => env.contexts.free(id, 'scroll')).length;
  return { status: freed === 0 ? 404 : 200, body: { succeeded: true, num_freed: freed } };
}

export function scrollIds(body: Json, pathId: string | undefined): string[] {
  if (pathId) return pathId.split(',');
  const v = body.scroll_id;
  return Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(',') : [];
}
