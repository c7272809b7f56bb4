import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { isoParam, parseRequest } from '../parse.ts';
import { watchLogRecord } from '../responses.ts';
import { assertTenant, assertWatchRef, DEFAULT_TENANT } from '../../watches/repository.ts';
import { ID_PATTERN } from '../../watches/schema.ts';

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
    from: z.coerce.number().int().min(0).max(100_000).default(0).describe('First record (default 0)'),
    size: z.coerce.number().int().min(0).max(1000).default(10).describe('Records to return (default 10, at most 1000)'),
    status: z
      .string()
      .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
      .pipe(z.array(z.enum(STATUSES)).min(1))
      .optional()
      .describe(`Only runs with this \`status.code\`; several comma-separated (${STATUSES.join(', ')})`),
    since: time.optional().describe('Only runs that ended at or after this time (ISO 8601)'),
    until: time.optional().describe('Only runs that ended before this time (ISO 8601)'),
    action: z.string().min(1).max(256).optional().describe('Only runs that ran the action with this name'),
  })
  .strict();

const idField = (what: string) => z.string().regex(ID_PATTERN).describe(`${what}: [A-Za-z0-9_-]{1,128}`);
const historyParams = z.object({ tenant: idField('The tenant (`_main`: the watches folder itself)'), id: idField('The watch id') });
const historyResponse = z.object({
  from: z.number().int(),
  size: z.number().int(),
  hits: z.object({ hits: z.array(z.object({ _id: z.string(), _source: watchLogRecord })) }),
});

/**
 * `GET /_vigil/watch/{tenant}/{id}/_history`: the watch's execution log, newest first, one Signals log
 * document per run. Records outlive the watch: a deleted watch's history can still be read.
 */
export async function historyRoutes(f: FastifyInstance, app: ApiContext): Promise<void> {
  f.get<{ Params: { tenant: string; id: string } }>(
    '/_vigil/watch/:tenant/:id/_history',
    {
      config: { access: { permission: 'watch:read', tenantParam: 'tenant' } },
      schema: {
        summary: "A watch's execution history: one log record per run, newest first, filtered by status, time and action",
        description: 'Records outlive the watch: the history of a deleted watch can still be read.',
        params: historyParams,
        querystring: historyQuery,
        response: { 200: historyResponse },
        examples: [
          {
            name: 'example',
            summary: 'The last five runs of the example watch that notified or failed to',
            params: { tenant: DEFAULT_TENANT, id: 'openapi-example' },
            query: { size: '5', status: 'ACTION_EXECUTED,ACTION_FAILED' },
          },
        ],
      },
    },
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
