import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiContext } from '../context.ts';
import type { RouteAccess } from '../auth.ts';
import { component } from '../route-schema.ts';
import { VigilError } from '../../errors.ts';

const time = z.string().describe('ISO-8601 time');
/** A figure the daemon reported of itself in its last heartbeat; null when it reported none. */
const reported = (what: string) => z.number().nullable().describe(`${what}, as the daemon reported it at its last heartbeat`);

const clusterNode = component(
  'ClusterNode',
  z.object({
    name: z.string().describe('the daemon\'s node_name'),
    live: z.boolean().describe('its lease is ahead, as this daemon sees it'),
    self: z.boolean().describe('the daemon answering'),
    started_at: time,
    heartbeat_at: time,
    heartbeat_age_ms: z.number().int(),
    lease_until: time.describe('it counts as gone once this time has passed'),
    watches_owned: reported('watches it owns'),
    lag_p99_ms: reported('p99 of its trigger lag'),
    running: reported('runs in progress'),
    delivery_backlog: reported('notifications waiting in its delivery queue'),
  }),
);

/** The answer of `GET /_vigil/cluster`. */
export const clusterResponse = component(
  'Cluster',
  z.object({
    node: z.string().describe('the daemon answering'),
    lease_ms: z.number().int().describe('cluster_mode.lease_ms'),
    live: z.array(z.string()).describe('the live daemons\' names, sorted: the watches are shared among them'),
    nodes: z.array(clusterNode).describe('every daemon with a heartbeat document, gone ones for a while'),
  }),
);

/** Any signed-in caller: node names and counts, as `/metrics` has them, but not to anonymous callers. */
const signedIn = { authenticated: true } satisfies RouteAccess;

/**
 * `GET /_vigil/cluster`: the daemons sharing the watches through the cluster backend, each with its
 * last heartbeat, how many watches it owns and its trigger lag (as it reported them); 404 NOT_FOUND on
 * SQLite (one daemon per data folder).
 */
export async function clusterRoutes(f: FastifyInstance, app: ApiContext): Promise<void> {
  f.get(
    '/_vigil/cluster',
    {
      config: { access: signedIn },
      schema: {
        summary: 'The daemons sharing the cluster backend: live, heartbeat, lease, watches owned, trigger lag (404 on SQLite)',
        tags: ['node'],
        response: { 200: clusterResponse },
      },
    },
    async () => {
      const view = app.clusterView();
      if (!view) throw new VigilError('NOT_FOUND', 'this daemon keeps its state in SQLite: there is no cluster of daemons (state.backend cluster)');
      const now = app.clock.now();
      const figure = (v: unknown): number | null => (typeof v === 'number' ? v : null);
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
          watches_owned: figure(m.stats.owned),
          lag_p99_ms: figure(m.stats.lag_p99_ms),
          running: figure(m.stats.running),
          delivery_backlog: figure(m.stats.delivery_backlog),
        })),
      };
    },
  );
}
