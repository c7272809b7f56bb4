import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiContext } from '../context.ts';
import { component } from '../route-schema.ts';

const healthResponse = component(
  'Health',
  z.object({
    status: z.enum(['green', 'yellow', 'red']).describe('red while the state store cannot write or its write queue is full, yellow while a watch file is invalid'),
    state_store: z.object({
      backend: z.enum(['sqlite', 'cluster']),
      healthy: z.boolean().describe('false while the cluster that holds the state does not take writes'),
      full: z.boolean().describe('the write queue is at state.queue_limit: no new run starts'),
      queued_writes: z.number().int(),
      error: z.string().optional().describe('why the last write failed'),
    }),
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

/**
 * `GET /_vigil/health` (no authentication; 200 once ready) and `GET /metrics` (Prometheus text).
 * `status`: `red` while the state store cannot write (the cluster that holds the state is away: runs go
 * on, their outcomes wait in memory), `yellow` while a watch is invalid, else `green`. Always 200, as a
 * cluster's own health is: a probe that restarted a red daemon would throw away what it holds.
 */
export async function healthRoutes(f: FastifyInstance, app: ApiContext): Promise<void> {
  f.get(
    '/_vigil/health',
    {
      config: { access: { public: true } },
      schema: { summary: 'Health of this node: state store, watches, scheduler, deliveries (no credentials)', tags: ['node'], response: { 200: healthResponse } },
    },
    async () => {
      const { valid, invalid } = app.watches.counts();
      const stats = app.scheduler.stats();
      const state = app.stateHealth();
      return {
        status: !state.healthy || state.full ? 'red' : invalid ? 'yellow' : 'green',
        state_store: { backend: state.backend, healthy: state.healthy, full: state.full, queued_writes: state.queued, ...(state.error ? { error: state.error } : {}) },
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
