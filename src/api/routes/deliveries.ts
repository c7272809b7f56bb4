import { z } from 'zod';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiContext } from '../context.ts';
import { parseRequest } from '../parse.ts';
import { component } from '../route-schema.ts';
import { VigilError } from '../../errors.ts';
import type { OutboxEntry } from '../../state/types.ts';
import { retryWindow } from '../../delivery/backoff.ts';
import { assertTenant, assertWatchRef, DEFAULT_TENANT } from '../../watches/repository.ts';

const STATES = ['pending', 'failed', 'delivered', 'cancelled'] as const;

const listQuery = z
  .object({
    // Required: a missing state is told so, not "Invalid option" as if one had been given.
    state: z.enum(STATES, { error: (iss) => (iss.input === undefined ? `required: which deliveries to list, one of ${STATES.join(', ')} (?state=pending)` : undefined) }).describe('The deliveries in this state'),
    tenant: z.string().default(DEFAULT_TENANT).describe('Their tenant (default `_main`)'),
    watch: z.string().optional().describe('Only the deliveries of this watch'),
    from: z.coerce.number().int().min(0).max(100_000).default(0).describe('First entry (default 0)'),
    size: z.coerce.number().int().min(0).max(1000).default(100).describe('Entries to return (default 100, at most 1000)'),
  })
  .strict();

const idParams = z.object({ id: z.string().describe('The delivery id (`id` in the list): its idempotency key') });

const time = z.string().describe('ISO-8601 time');
const delivery = component(
  'Delivery',
  z.object({
    id: z.string(),
    tenant: z.string(),
    watch_id: z.string(),
    action: z.string(),
    action_type: z.string(),
    account: z.string().nullable(),
    status: z.enum(STATES),
    attempts: z.number().int(),
    last_error: z.string().nullable(),
    created_at: time,
    next_attempt_at: time.nullable().describe('when it is attempted next (pending only)'),
    deadline: time.describe('no attempt is made after it; moved on when a daemon takes the delivery up late (a restart, another daemon), by the first retry window from then'),
    finished_at: time.nullable(),
    summary: z.string().optional().describe('one line saying what the notification is'),
    destination: z.string().optional().describe('where it goes, without credentials'),
  }),
);
const changed = (result: string) => z.object({ result: z.literal(result), delivery });

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** What the API shows of an outbox entry: its bookkeeping and its one-line summary, never the rendered request. */
export function deliveryView(e: OutboxEntry): Record<string, unknown> {
  const n = e.notification as { summary?: unknown; destination?: unknown } | null;
  return {
    id: e.key,
    tenant: e.tenant,
    watch_id: e.watchId,
    action: e.action,
    action_type: e.actionType,
    account: e.accountId,
    status: e.status,
    attempts: e.attempts,
    last_error: e.lastError,
    created_at: iso(e.createdAt),
    next_attempt_at: e.status === 'pending' ? iso(e.nextAttemptAt) : null,
    deadline: iso(e.deadline),
    finished_at: iso(e.finishedAt),
    ...(typeof n?.summary === 'string' ? { summary: n.summary } : {}),
    ...(typeof n?.destination === 'string' ? { destination: n.destination } : {}),
  };
}

/** The entry a request names, read once per request (the access check and the handler share it). */
const loaded = new WeakMap<FastifyRequest, OutboxEntry>();

/**
 * Deliveries in the outbox: `GET /_vigil/deliveries?state=pending|failed[&tenant=&watch=]` (the
 * tenant defaults to `_main`; `watch:read` in it), `POST /_vigil/deliveries/{id}/_retry` (`watch:execute`
 * in the entry's tenant) and `DELETE /_vigil/deliveries/{id}` (`watch:manage` there). Changes are
 * audited as every write is, and logged with who made them.
 */
export async function deliveryRoutes(f: FastifyInstance, app: ApiContext): Promise<void> {
  const entryOf = async (req: FastifyRequest): Promise<string> => {
    const key = (req.params as { id: string }).id;
    const e = await app.store.outbox.get(key);
    if (!e) throw new VigilError('NOT_FOUND', 'no delivery with this id');
    loaded.set(req, e);
    return e.tenant;
  };
  const byEntry = (permission: 'watch:execute' | 'watch:manage') => ({ access: { permission, tenantOf: entryOf } });
  const actor = (req: FastifyRequest) => req.principal?.name ?? 'unknown';

  f.get(
    '/_vigil/deliveries',
    {
      config: { access: { permission: 'watch:read', tenantOf: (req: FastifyRequest) => (req.query as { tenant?: string }).tenant ?? DEFAULT_TENANT } },
      schema: {
        summary: 'Deliveries in the outbox in one state, of one tenant (and watch): bookkeeping and summary, never the rendered request',
        querystring: listQuery,
        response: { 200: z.object({ from: z.number().int(), size: z.number().int(), deliveries: z.array(delivery) }) },
        examples: [{ name: 'pending', summary: 'The notifications of the _main tenant still being retried', query: { state: 'pending' } }],
      },
    },
    async (req) => {
      const q = parseRequest(listQuery, req.query, 'query string');
      assertTenant(q.tenant);
      if (q.watch !== undefined) assertWatchRef({ tenant: q.tenant, id: q.watch });
      const entries = await app.store.outbox.list({ status: q.state, tenant: q.tenant, ...(q.watch !== undefined ? { watchId: q.watch } : {}), from: q.from, size: q.size });
      return { from: q.from, size: q.size, deliveries: entries.map(deliveryView) };
    },
  );

  f.post<{ Params: { id: string } }>(
    '/_vigil/deliveries/:id/_retry',
    {
      config: byEntry('watch:execute'),
      schema: {
        summary: 'Retry a delivery now: a failed one is requeued with a new retry window, a pending one is attempted at once',
        description: 'Needs the permission in the tenant of the delivery. A delivery that is delivered or cancelled is a 409 CONFLICT.',
        params: idParams,
        response: { 200: z.union([changed('requeued'), changed('retrying')]) },
      },
    },
    async (req) => {
      const e = loaded.get(req)!;
      if (e.status === 'failed') {
        const now = app.clock.now();
        // A new retry window as long as the first one, from now (not from a deadline a claim moved on).
        const requeued = await app.store.outbox.requeue(e.key, { deadline: now + retryWindow(e), nextAttemptAt: now });
        if (!requeued) throw new VigilError('CONFLICT', 'the delivery changed meanwhile; read it again');
        void app.deliverer.deliver(requeued);
        app.logger.info({ tenant: e.tenant, watch: e.watchId, action: e.action, delivery: e.key, by: actor(req) }, 'failed delivery requeued through the API');
        return { result: 'requeued', delivery: deliveryView(requeued) };
      }
      if (e.status === 'pending') {
        // Waiting between attempts here: attempted now. Not in flight (left by an earlier process, not yet resumed): handed over.
        if (!app.deliverer.retryNow(e.key)) {
          // Several daemons: one that holds the delivery goes on with its own attempts; only it can hurry them.
          const holder = await app.deliverer.heldElsewhere(e.key);
          if (holder) throw new VigilError('CONFLICT', `the delivery is being attempted by daemon ${holder}: retry it through that daemon's API, or wait for its next attempt`);
          void app.deliverer.deliver(e);
        }
        app.logger.info({ tenant: e.tenant, watch: e.watchId, action: e.action, delivery: e.key, by: actor(req) }, 'pending delivery retried now through the API');
        return { result: 'retrying', delivery: deliveryView(e) };
      }
      throw new VigilError('CONFLICT', `the delivery is ${e.status}: only a pending or failed delivery can be retried`);
    },
  );

  f.delete<{ Params: { id: string } }>(
    '/_vigil/deliveries/:id',
    {
      config: byEntry('watch:manage'),
      schema: {
        summary: 'Discard a pending or failed delivery: no further attempt is made (its key is kept)',
        description: 'Needs the permission in the tenant of the delivery. One already delivered or cancelled is a 409 CONFLICT.',
        params: idParams,
        response: { 200: changed('cancelled') },
      },
    },
    async (req) => {
      const e = loaded.get(req)!;
      const before = await app.store.outbox.cancel(e.key, `discarded through the API by ${actor(req)}`, app.clock.now());
      if (!before) throw new VigilError('CONFLICT', `the delivery is ${e.status === 'pending' || e.status === 'failed' ? 'no longer pending or failed' : e.status}: only a pending or failed delivery can be discarded`);
      app.deliverer.cancel(e.key);
      app.logger.info({ tenant: e.tenant, watch: e.watchId, action: e.action, delivery: e.key, by: actor(req), was: before.status }, 'delivery discarded through the API');
      return { result: 'cancelled', delivery: deliveryView((await app.store.outbox.get(e.key)) ?? before) };
    },
  );
}
