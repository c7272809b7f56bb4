import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiContext } from '../context.ts';
import { component } from '../route-schema.ts';

const healthReason = component(
  'HealthReason',
  z
    .object({
      status: z.enum(['yellow', 'red']),
      code: z.enum([
        'NOT_STARTED',
        'STORE_UNAVAILABLE',
        'STORE_QUEUE_FULL',
        'CLUSTER_UNREACHABLE',
        'WATCH_FAILING',
        'CLUSTER_NOT_CONFIGURED',
        'WATCHES_INVALID',
        'OVERLOADED',
        'OUTBOX_BACKLOG',
        'DELIVERY_FAILING',
        'DEADMAN_FAILING',
        'NODE_COUNTED_OUT',
      ]),
      message: z.string(),
    })
    .catchall(z.unknown())
    .describe('why the node is not green; further fields name the watch, cluster or action at fault (tenant, watch, cluster, action, since, more…)'),
);

const healthResponse = component(
  'Health',
  z.object({
    status: z.enum(['green', 'yellow', 'red']).describe('red: a configured cluster or the state store does not answer, or the state store\'s write queue is full; yellow: degraded (see reasons)'),
    state_store: z
      .object({
        backend: z.enum(['sqlite', 'cluster']),
        healthy: z.boolean().describe('whether the state store answered its last check (the cluster backend: its cluster takes writes)'),
        full: z.boolean().describe('the write queue is at state.queue_limit: no new run starts'),
        queued_writes: z.number().int().describe('writes held until the cluster acknowledges them (0 for SQLite)'),
        error: z.string().optional().describe('why the state store cannot be used'),
        checked_at: z.string(),
      })
      .nullable()
      .describe('what the last check of the state store found (null before the first one)'),
    node: z.string(),
    reasons: z.array(healthReason),
    watches: z.object({
      valid: z.number().int(),
      invalid: z.number().int(),
      need_cluster_not_configured: z.number().int().describe('watches naming a cluster this node does not configure'),
    }),
    clusters: z
      .record(
        z.string(),
        z.object({ reachable: z.boolean(), error: z.string().optional(), since: z.string().describe('when reachable last changed'), checked_at: z.string() }),
      )
      .describe('what the background probe last found, per configured cluster'),
    scheduler: z.object({
      running: z.number().int(),
      queued: z.number().int(),
      fired: z.number().int(),
      skipped_overlap: z.number().int(),
      deferred: z.number().int().describe('fires that waited past their time (delivery saturated or run queue full)'),
      paused: z.boolean().describe('delivery is saturated, or the state store\'s write queue is full, now: no new run starts'),
    }),
    deliveries_in_flight: z.number().int(),
    outbox: z.object({ pending: z.number().int(), oldest_pending_since: z.string().nullable() }).nullable().describe('null until the state store was probed'),
    accounts: z.enum(['available', 'no master key']),
  }),
);

const liveResponse = z.object({ status: z.literal('alive'), node: z.string() });
const readyResponse = z.object({ ready: z.literal(true), node: z.string() });
const notReadyResponse = z.object({ ready: z.literal(false), node: z.string(), reasons: z.array(z.string()).describe('why not, one line each') });

const open = { public: true } as const;

/**
 * `GET /_vigil/health` (no authentication): green, yellow or red with every reason, and the figures
 * behind them; always 200 while the node answers, as Elasticsearch's cluster health is.
 * `GET /_vigil/health/live` (liveness: 200 while the process serves requests) and
 * `GET /_vigil/health/ready` (readiness: 200 once the watches are loaded, the state store is usable and
 * the API is bound, 503 otherwise and from SIGTERM on), for orchestrators. `GET /metrics`: Prometheus
 * text. None of them does I/O: they read what the background probes and the daemon's own work found.
 */
export async function healthRoutes(f: FastifyInstance, app: ApiContext): Promise<void> {
  f.get(
    '/_vigil/health',
    {
      config: { access: open },
      schema: { summary: 'Health of this node: green, yellow or red with every reason (no credentials)', tags: ['node'], response: { 200: healthResponse } },
    },
    async () => {
      const { valid, invalid } = app.watches.counts();
      const stats = app.scheduler.stats();
      const { status, reasons, clusters, outbox, state_store } = app.health.report();
      return {
        status,
        state_store,
        node: app.config.node_name,
        reasons,
        watches: { valid, invalid, need_cluster_not_configured: reasons.filter((r) => r.code === 'CLUSTER_NOT_CONFIGURED').length },
        clusters,
        scheduler: { running: stats.running, queued: stats.queued, fired: stats.fired, skipped_overlap: stats.skippedOverlap, deferred: stats.deferred, paused: stats.paused },
        deliveries_in_flight: app.deliverer.pendingCount,
        outbox,
        accounts: app.accounts ? 'available' : 'no master key',
      };
    },
  );
  f.get(
    '/_vigil/health/live',
    {
      config: { access: open },
      schema: { summary: 'Liveness: 200 while the process serves requests (no credentials)', tags: ['node'], response: { 200: liveResponse } },
    },
    async () => ({ status: 'alive', node: app.config.node_name }),
  );
  f.get(
    '/_vigil/health/ready',
    {
      config: { access: open },
      schema: {
        summary: 'Readiness: 200 once watches are loaded, the state store is usable and the API is bound; 503 otherwise and while stopping (no credentials)',
        tags: ['node'],
        response: { 200: readyResponse, 503: notReadyResponse },
      },
    },
    async (_req, reply) => {
      const r = app.health.readiness();
      return reply.status(r.ready ? 200 : 503).send({ ready: r.ready, node: app.config.node_name, ...(r.ready ? {} : { reasons: r.reasons }) });
    },
  );
  f.get(
    '/metrics',
    {
      config: { access: open },
      schema: { summary: 'Metrics in the Prometheus text format (no credentials)', tags: ['node'], produces: app.metrics.registry.contentType },
    },
    async (_req, reply) => {
      reply.header('content-type', app.metrics.registry.contentType);
      return app.metrics.registry.metrics();
    },
  );
}
