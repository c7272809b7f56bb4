import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';

/** `GET /_vigil/health` (no authentication; 200 once ready) and `GET /metrics` (Prometheus text). */
export async function healthRoutes(f: FastifyInstance, app: ApiContext): Promise<void> {
  f.get('/_vigil/health', { config: { access: { public: true } } }, async () => {
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
  });
  f.get('/metrics', { config: { access: { public: true } } }, async (_req, reply) => {
    reply.header('content-type', app.metrics.registry.contentType);
    return app.metrics.registry.metrics();
  });
}
