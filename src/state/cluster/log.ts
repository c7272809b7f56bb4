/**
 * The execution log on the cluster: one index per UTC day (`<prefix>-log-YYYY.MM.DD`, by the run's end
 * time), the record whole under `record` and its searchable fields beside it. Retention deletes whole
 * indices, never documents one by one: by age (`retentionDays`) and by count (the oldest days go while
 * the newer ones alone hold the records to keep; the current day is never deleted). `retentionDays: 0`
 * leaves deletion to an ILM/ISM policy the user attaches through the template's settings.
 */
import type { Clock } from '../../clock.ts';
import { VigilError } from '../../errors.ts';
import { isVersionConflict, type DocStoreClient } from '../../cluster/docstore-types.ts';
import type { RunCommit, WatchLogQuery, WatchLogStore } from '../types.ts';
import type { BulkWriter } from './bulk-writer.ts';
import { periodStart, type IndexNames } from './names.ts';

export type WatchLogRecord = NonNullable<RunCommit['log']>;

const DAY = 86_400_000;

export interface ClusterLogOptions {
  ds: DocStoreClient;
  names: IndexNames;
  writer: BulkWriter;
  clock: Clock;
  /** Days of execution log kept (whole daily indices), default 30; 0: Vigil deletes none (ILM/ISM does). */
  retentionDays?: number;
}

/**
 * Checks what the log index needs of a record (its day comes from `execution_end`); returns that end
 * time. Called before anything of a commit is written.
 */
export function validateLogRecord(r: WatchLogRecord): number {
  const end = Date.parse(r.execution_end);
  if (typeof r.id !== 'string' || r.id.length === 0 || Buffer.byteLength(r.id) > 512) {
    throw new VigilError('INVALID_REQUEST', 'log record without a valid id', { id: [{ error: 'must be a string of 1 to 512 bytes' }] });
  }
  if (Number.isNaN(end)) throw new VigilError('INVALID_REQUEST', `log record [${r.id}] has no valid execution_end`, { execution_end: [{ error: 'not an ISO time', value: r.execution_end }] });
  return end;
}

/** The names of the record's actions and resolve actions, searchable (`actions`); nothing when it has none. */
function actionNames(r: WatchLogRecord): { actions?: string[] } {
  const names = [...new Set([...(r.actions ?? []), ...(r.resolve_actions ?? [])].map((a) => a.name).filter((n) => typeof n === 'string'))];
  return names.length ? { actions: names } : {};
}

export class ClusterWatchLog implements WatchLogStore {
  readonly #o: ClusterLogOptions & { retentionDays: number };
  /** Orders records with the same end time in append order, within this process. */
  #seq = 0;

  constructor(o: ClusterLogOptions) {
    this.#o = { ...o, retentionDays: o.retentionDays ?? 30 };
  }

  async append(r: WatchLogRecord): Promise<void> {
    const end = validateLogRecord(r);
    const { runtime_attributes: _never, ...record } = r;
    const scheduled = r.trigger?.scheduled_time ?? null;
    this.#seq = Math.max(this.#seq + 1, this.#o.clock.now() * 1000);
    const document = {
      id: r.id,
      tenant: r.tenant,
      watch_id: r.watch_id,
      watch_version: r.watch_version,
      status: { code: r.status.code, ...(r.status.severity !== undefined ? { severity: r.status.severity } : {}) },
      execution_start: Number.isNaN(Date.parse(r.execution_start)) ? r.execution_end : r.execution_start,
      execution_end: r.execution_end,
      ...(scheduled && !Number.isNaN(Date.parse(scheduled)) ? { scheduled_time: scheduled } : {}),
      node: r.node,
      seq: this.#seq,
      ...actionNames(r),
      record,
    };
    const item = await this.#o.writer.submit({ op: 'create', index: this.#o.names.log(end), id: r.id, document });
    // A record already there is this one, from an attempt whose answer was lost (ids are per run).
    if (!item.ok && !isVersionConflict(item.error)) throw item.error;
  }

  async query(q: WatchLogQuery): Promise<WatchLogRecord[]> {
    const { ds, names } = this.#o;
    // An API read right after a run must see it: make the log searchable first (a rare, explicit read).
    await ds.refresh(names.logPattern);
    const filter: unknown[] = [];
    if (q.tenant !== undefined) filter.push({ term: { tenant: q.tenant } });
    if (q.watchId !== undefined) filter.push({ term: { watch_id: q.watchId } });
    if (q.since !== undefined) filter.push({ range: { execution_end: { gte: q.since } } });
    if (q.until !== undefined) filter.push({ range: { execution_end: { lt: q.until } } });
    if (q.status?.length) filter.push({ terms: { 'status.code': [...q.status] } });
    if (q.action !== undefined) filter.push({ term: { actions: q.action } });
    const res = await ds.search<{ record: WatchLogRecord }>(names.logPattern, {
      query: { bool: { filter } },
      sort: [{ execution_end: 'desc' }, { seq: 'desc' }],
      from: q.from ?? 0,
      size: q.size ?? 100,
      track_total_hits: false,
    });
    return res.hits.map((h) => h.source.record);
  }

  /**
   * Deletes whole daily indices: those older than the retention days, and the oldest while the newer
   * ones hold at least `maxRecords`. Returns the records deleted with them (`limit` is not needed:
   * deleting an index is one cheap request whatever it holds).
   */
  async prune(maxRecords: number): Promise<number> {
    const { ds, names, clock, retentionDays } = this.#o;
    if (retentionDays === 0) return 0;
    const today = names.log(clock.now());
    // Counts are of what is searchable: make every acknowledged record count.
    await ds.refresh(names.logPattern);
    const days = (await ds.listIndices(names.logPattern))
      .map((i) => ({ ...i, start: periodStart(i.index, names.logPattern) }))
      .filter((i): i is typeof i & { start: number } => i.start !== undefined && i.index !== today)
      .sort((a, b) => b.start - a.start);
    const cutoff = clock.now() - retentionDays * DAY;
    let newer = (await ds.listIndices(today))[0]?.docsCount ?? 0;
    let removed = 0;
    for (const d of days) {
      // An index covers one day: it is past the retention once its day ended before the cutoff.
      if (d.start + DAY <= cutoff || newer >= maxRecords) {
        await ds.deleteIndex(d.index);
        removed += d.docsCount;
      } else newer += d.docsCount;
    }
    return removed;
  }
}
