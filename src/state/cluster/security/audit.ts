/**
 * The audit log on the cluster: one index per UTC month of writing (`<prefix>-audit-YYYY.MM`); retention deletes
 * whole months once they are older than `retentionDays` (checked at most hourly, on append). Text
 * fields are cut to the same bounded lengths as in SQLite.
 */
import type { Clock } from '../../../clock.ts';
import type { DocStoreClient } from '../../../cluster/docstore-types.ts';
import type { AuditQuery, AuditRecord, AuditRecords } from '../../security-types.ts';
import type { BulkWriter } from '../bulk-writer.ts';
import { periodStart, type IndexNames } from '../names.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;

interface AuditSource extends Omit<AuditRecord, 'category' | 'body'> {
  category?: string;
  body?: string;
  seq: number;
}

export class ClusterAudit implements AuditRecords {
  readonly #ds: DocStoreClient;
  readonly #names: IndexNames;
  readonly #writer: BulkWriter;
  readonly #clock: Clock;
  readonly #retentionDays: number;
  #seq = 0;
  #trimmedAt = -Infinity;

  /** `retentionDays`: months whose end is older than this are deleted; 0 deletes none. Default 365. */
  constructor(ds: DocStoreClient, names: IndexNames, writer: BulkWriter, clock: Clock, retentionDays = 365) {
    this.#ds = ds;
    this.#names = names;
    this.#writer = writer;
    this.#clock = clock;
    this.#retentionDays = retentionDays;
  }

  async append(records: AuditRecord[]): Promise<void> {
    const items = await Promise.all(
      records.map((r) => {
        this.#seq = Math.max(this.#seq + 1, this.#clock.now() * 1000);
        const doc: AuditSource = {
          time: r.time,
          user: r.user === null ? null : r.user.slice(0, 256),
          address: r.address.slice(0, 64),
          method: r.method.slice(0, 16),
          path: r.path.slice(0, 1024),
          outcome: r.outcome,
          status: r.status,
          count: r.count,
          ...(r.category !== undefined ? { category: r.category } : {}),
          ...(r.body !== undefined ? { body: r.body.slice(0, 16_384) } : {}),
          seq: this.#seq,
        };
        // By the time of writing, not of the event: a row is never written into a month retention has deleted.
        return this.#writer.submit({ op: 'index', index: this.#names.audit(this.#clock.now()), document: doc as never });
      }),
    );
    for (const item of items) if (!item.ok) throw item.error;
    if (this.#clock.monotonic() - this.#trimmedAt >= HOUR) {
      this.#trimmedAt = this.#clock.monotonic();
      // The rows are written; a retention pass that fails is tried again within the hour after.
      await this.trim().catch(() => {
        this.#trimmedAt = -Infinity;
      });
    }
  }

  /** Deletes the months past the retention; returns how many indices went. */
  async trim(): Promise<number> {
    if (this.#retentionDays === 0) return 0;
    const cutoff = this.#clock.now() - this.#retentionDays * DAY;
    let n = 0;
    for (const i of await this.#ds.listIndices(this.#names.auditPattern)) {
      const start = periodStart(i.index, this.#names.auditPattern);
      if (start === undefined) continue;
      const d = new Date(start);
      const end = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
      if (end <= cutoff) (await this.#ds.deleteIndex(i.index), n++);
    }
    return n;
  }

  async query(q: AuditQuery): Promise<{ total: number; hits: AuditRecord[] }> {
    await this.#ds.refresh(this.#names.auditPattern);
    const filter: unknown[] = [];
    if (q.from !== undefined || q.to !== undefined) filter.push({ range: { time: { ...(q.from !== undefined ? { gte: q.from } : {}), ...(q.to !== undefined ? { lte: q.to } : {}) } } });
    if (q.user !== undefined) filter.push({ term: { user: q.user } });
    const res = await this.#ds.search<AuditSource>(this.#names.auditPattern, {
      query: { bool: { filter } },
      sort: [{ time: 'desc' }, { seq: 'desc' }],
      size: Math.min(10_000, q.size ?? 100),
      track_total_hits: true,
    });
    return { total: res.total, hits: res.hits.map(({ source: { seq: _seq, ...r } }) => r) };
  }
}
