import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiContext } from '../context.ts';
import { component } from '../route-schema.ts';

const healthResponse = component(
  'Health',
  z.object({
    status: z.enum(['green', 'yellow']).describe('yellow while a watch file is invalid'),
    node: z.string(),
    watches: z.object({ valid: z.number().int(), invalid: z.number().int() }),
    scheduler: z.object({
      running: z.number().int(),
      queued: z.number().int(),
      fired: z.number().int(),
      skipped_overlap: z.number().int(),
      deferred: z.number().int().describe('fires that waited past their time (delivery saturated or run queue full)'),
      paused: z.boolean().describe('delivery is saturated now: no new run starts'),
    }),
    deliveries_in_flight: z.number().int(),
    accounts: z.enum(['available', 'no master key']),
  }),
);

/** `GET /_vigil/health` (no authentication; 200 once ready) and `GET /metrics` (Prometheus text). */
export async function healthRoutes(f: FastifyInstance, app: ApiContext): Promise<void> {
  f.get(
    '/_vigil/health',
    {
      config: { access: { public: true } },
      schema: { summary: 'Health of this node: watches, scheduler, deliveries (no credentials)', tags: ['node'], response: { 200: healthResponse } },
    },
    async () => {
      const { valid, invalid } = app.watches.counts();
      const stats = app.scheduler.stats();
      return {
        status: invalid ? 'yellow' : 'green',
        node: app.config.node_name,
        watches: { valid, invalid },
        scheduler: { running: stats.running, queued: stats.queued, fired: stats.fired, skipped_overlap: stats.skippedOverlap, deferred: stats.deferred, paused: stats.paused },
        deliveries_in_flight: app.deliverer.pendingCount,
        accounts: app.accounts ? 'available' : 'no master key',
      };
    },
  );
  f.get(
    '/metrics',
    {
      config: { access: { public: true } },
      schema: { summary: 'Metrics in the Prometheus text format (no credentials)', tags: ['node'], produces: app.metrics.registry.contentType },
    },
    async (_req, reply) => {
      reply.header('content-type', app.metrics.registry.contentType);
      return app.metrics.registry.metrics();
    },
  );
}
