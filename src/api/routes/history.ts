import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { isoParam, parseRequest } from '../parse.ts';
import { assertTenant, assertWatchRef } from '../../watches/repository.ts';

/** The run statuses a record can have (`status.code`). */
const STATUSES = [
  'ACTION_EXECUTED',
  'SIMULATED_ACTION_EXECUTED',
  'ACTION_FAILED',
  'ACTION_THROTTLED',
  'ACKED',
  'NO_ACTION',
  'DELIVERY_PENDING',
  'EXECUTION_FAILED',
] as const;

const time = z.string().transform((v, ctx) => isoParam(v) ?? (ctx.addIssue({ code: 'custom', message: 'not a date (ISO 8601, e.g. 2026-03-01T10:00:00Z)' }), z.NEVER));

const historyQuery = z
  .object({
    from: z.coerce.number().int().min(0).max(100_000).default(0),
    size: z.coerce.number().int().min(0).max(1000).default(10),
    /** One status or several, comma-separated. */
    status: z
      .string()
      .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
      .pipe(z.array(z.enum(STATUSES)).min(1))
      .optional(),
    since: time.optional(),
    until: time.optional(),
    action: z.string().min(1).max(256).optional(),
  })
  .strict();

/**
 * `GET /_vigil/watch/{tenant}/{id}/_history`: the watch's execution log, newest first, one Signals log
 * document per run. Records outlive the watch: a deleted watch's history can still be read.
 */
export async function historyRoutes(f: FastifyInstance, app: ApiContext): Promise<void> {
  f.get<{ Params: { tenant: string; id: string } }>(
    '/_vigil/watch/:tenant/:id/_history',
    { config: { access: { permission: 'watch:read', tenantParam: 'tenant' } } },
    async (req) => {
      const { tenant, id } = req.params;
      assertTenant(tenant);
      assertWatchRef({ tenant, id });
      const q = parseRequest(historyQuery, req.query, 'query string');
      const records = await app.store.log.query({
        tenant,
        watchId: id,
        from: q.from,
        size: q.size,
        ...(q.status ? { status: q.status } : {}),
        ...(q.since ? { since: q.since } : {}),
        ...(q.until ? { until: q.until } : {}),
        ...(q.action ? { action: q.action } : {}),
      });
      return { from: q.from, size: q.size, hits: { hits: records.map((r) => ({ _id: r.id, _source: r })) } };
    },
  );
}
