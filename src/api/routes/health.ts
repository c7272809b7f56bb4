import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';

const open = { config: { access: { public: true } } } as const;

/**
 * `GET /_vigil/health` (no authentication): green, yellow or red with every reason, and the figures
 * behind them; always 200 while the node answers, as Elasticsearch's cluster health is.
 * `GET /_vigil/health/live` (liveness: 200 while the process serves requests) and
 * `GET /_vigil/health/ready` (readiness: 200 once the watches are loaded, the state store is usable and
 * the API is bound, 503 otherwise and from SIGTERM on), for orchestrators. `GET /metrics`: Prometheus
 * text. None of them does I/O: they read what the background probes and the daemon's own work found.
 */
export async function healthRoutes(f: FastifyInstance, app: ApiContext): Promise<void> {
  f.get('/_vigil/health', open, async () => {
    const { valid, invalid } = app.watches.counts();
    const stats = app.scheduler.stats();
    const { status, reasons, clusters, outbox } = app.health.report();
    return {
      status,
      node: app.config.node_name,
      reasons,
      watches: { valid, invalid, need_cluster_not_configured: reasons.filter((r) => r.code === 'CLUSTER_NOT_CONFIGURED').length },
      clusters,
      scheduler: { running: stats.running, queued: stats.queued, fired: stats.fired, skipped_overlap: stats.skippedOverlap, deferred: stats.deferred, paused: stats.paused },
      deliveries_in_flight: app.deliverer.pendingCount,
      outbox,
      accounts: app.accounts ? 'available' : 'no master key',
    };
  });
  f.get('/_vigil/health/live', open, async () => ({ status: 'alive', node: app.config.node_name }));
  f.get('/_vigil/health/ready', open, async (_req, reply) => {
    const r = app.health.readiness();
    return reply.status(r.ready ? 200 : 503).send({ ready: r.ready, node: app.config.node_name, ...(r.ready ? {} : { reasons: r.reasons }) });
  });
  f.get('/metrics', open, async (_req, reply) => {
    reply.header('content-type', app.metrics.registry.contentType);
    return app.metrics.registry.metrics();
  });
}
