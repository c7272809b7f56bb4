import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';

/**
 * `GET /_vigil/health` (no authentication; 200 once ready) and `GET /metrics` (Prometheus text).
 * `status`: `red` while the state store cannot write (the cluster that holds the state is away: runs go
 * on, their outcomes wait in memory), `yellow` while a watch is invalid, else `green`. Always 200, as a
 * cluster's own health is: a probe that restarted a red daemon would throw away what it holds.
 */
export async function healthRoutes(f: FastifyInstance, app: ApiContext): Promise<void> {
  f.get('/_vigil/health', { config: { access: { public: true } } }, async () => {
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
  });
  f.get('/metrics', { config: { access: { public: true } } }, async (_req, reply) => {
    reply.header('content-type', app.metrics.registry.contentType);
    return app.metrics.registry.metrics();
  });
}
