import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { VigilError } from '../../errors.ts';

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
  /**
   * `GET /_vigil/cluster`: the daemons sharing the watches through the cluster backend, each with its
   * last heartbeat, how many watches it owns and its trigger lag (as it reported them); 404 NOT_FOUND on
   * SQLite (one daemon per data folder).
   */
  f.get('/_vigil/cluster', { config: { access: { public: true } } }, async () => {
    const view = app.clusterView();
    if (!view) throw new VigilError('NOT_FOUND', 'this daemon keeps its state in SQLite: there is no cluster of daemons (state.backend cluster)');
    const now = app.clock.now();
    return {
      node: view.node,
      lease_ms: view.lease_ms,
      live: view.live,
      nodes: view.members.map((m) => ({
        name: m.node,
        live: m.live && view.live.includes(m.node),
        self: m.node === view.node,
        started_at: new Date(m.startedAt).toISOString(),
        heartbeat_at: new Date(m.heartbeatAt).toISOString(),
        heartbeat_age_ms: Math.max(0, now - m.heartbeatAt),
        lease_until: new Date(m.until).toISOString(),
        watches_owned: typeof m.stats.owned === 'number' ? m.stats.owned : null,
        lag_p99_ms: typeof m.stats.lag_p99_ms === 'number' ? m.stats.lag_p99_ms : null,
        running: typeof m.stats.running === 'number' ? m.stats.running : null,
        delivery_backlog: typeof m.stats.delivery_backlog === 'number' ? m.stats.delivery_backlog : null,
      })),
    };
  });
  f.get('/metrics', { config: { access: { public: true } } }, async (_req, reply) => {
    reply.header('content-type', app.metrics.registry.contentType);
    return app.metrics.registry.metrics();
  });
}
