import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { VigilError } from '../../errors.ts';
import { zodDetail } from '../../error-detail.ts';
import { errorSummary, parseSource } from '../../watches/loader.ts';
import { assertTenant, assertWatchRef, DEFAULT_TENANT } from '../../watches/repository.ts';
import type { Permission } from '../../security/types.ts';
import type { RunOptions } from '../../runtime/runner.ts';

type Params = { tenant: string; id: string; action?: string };

const executeBody = z
  .object({
    simulate: z.boolean().default(false),
    skip_actions: z.boolean().default(false),
    input: z.record(z.string(), z.unknown()).optional(),
    goto: z.string().optional(),
    record_execution: z.boolean().default(false),
    show_all_runtime_attributes: z.boolean().optional(),
    watch: z.unknown().optional(),
  })
  .strict();

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const res = schema.safeParse(body ?? {});
  if (!res.success) throw new VigilError('INVALID_REQUEST', 'invalid request body', zodDetail(res.error.issues, { input: body }));
  return res.data;
}

/**
 * How long an execution waits for its deliveries before it answers: a notification still being retried
 * then is reported DELIVERY_PENDING (it goes on in the outbox) instead of holding the request for its
 * whole retry deadline (up to 5 minutes).
 */
const EXECUTE_DELIVERY_WAIT_MS = 15_000;

function runOptions(b: z.output<typeof executeBody>): Omit<RunOptions, 'fire' | 'recordState'> {
  return {
    simulate: b.simulate,
    skipActions: b.skip_actions,
    recordLog: b.record_execution,
    runtimeAttributes: b.show_all_runtime_attributes === true,
    deliveryWaitMs: EXECUTE_DELIVERY_WAIT_MS,
    ...(b.input ? { input: b.input } : {}),
    ...(b.goto ? { goto: b.goto } : {}),
  };
}

const access = (permission: Permission) => ({ config: { access: { permission, tenantParam: 'tenant' } } });

/** Signals-compatible watch endpoints. */
export async function watchRoutes(f: FastifyInstance, app: ApiContext): Promise<void> {
  const w = app.watches;

  // Tenant and watch ids are checked before any handler: a hostile id is a 400, never a lookup.
  f.addHook('preHandler', async (req) => {
    if (!req.routeOptions.url?.startsWith('/_signals/watch/')) return;
    const p = req.params as Partial<Params>;
    if (p.tenant !== undefined) assertTenant(p.tenant);
    if (p.id !== undefined) assertWatchRef({ tenant: p.tenant ?? DEFAULT_TENANT, id: p.id });
  });

  f.put<{ Params: Params }>('/_signals/watch/:tenant/:id', access('watch:manage'), async (req, reply) => {
    const { created } = await w.put(req.params.tenant, req.params.id, req.body);
    const loaded = w.get(req.params.tenant, req.params.id);
    return reply.status(created ? 201 : 200).send({
      _id: req.params.id,
      _tenant: req.params.tenant,
      _version: loaded?.watch?.version,
      result: created ? 'created' : 'updated',
    });
  });

  f.get<{ Params: Params }>('/_signals/watch/:tenant/:id', access('watch:read'), async (req) => {
    const loaded = w.get(req.params.tenant, req.params.id);
    if (!loaded) throw new VigilError('NOT_FOUND', `watch ${req.params.tenant}/${req.params.id} not found`);
    const read = await app.watchRepository.get(loaded.ref);
    // Gone or unreadable since it was loaded: the watch service unschedules such a watch too.
    if (read.status !== 'found') throw new VigilError('NOT_FOUND', `watch ${req.params.tenant}/${req.params.id} not found`);
    const source = parseSource(read.source.text);
    // No source to show: answer with the load error (its parse position), as validation reports it.
    if (!source.ok) throw new VigilError('INVALID_WATCH', errorSummary(source.detail), source.detail);
    return {
      _id: req.params.id,
      _tenant: req.params.tenant,
      found: true,
      _version: loaded.watch?.version ?? null,
      // In effect now: the `_active` API overrides the definition's own `active`.
      active: loaded.active ?? false,
      _source: source.value,
      ...(loaded.errors ? { errors: loaded.errors } : {}),
    };
  });

  f.delete<{ Params: Params }>('/_signals/watch/:tenant/:id', access('watch:manage'), async (req) => {
    if (!(await w.delete(req.params.tenant, req.params.id))) throw new VigilError('NOT_FOUND', `watch ${req.params.tenant}/${req.params.id} not found`);
    return { _id: req.params.id, result: 'deleted' };
  });

  for (const [method, active] of [['PUT', true], ['DELETE', false]] as const) {
    f.route<{ Params: Params }>({
      method,
      url: '/_signals/watch/:tenant/:id/_active',
      ...access('watch:activate'),
      handler: async (req) => {
        await w.setActive(req.params.tenant, req.params.id, active);
        return { status: 200, active };
      },
    });
  }

  // As in Signals: the actions are sent (through the outbox) unless `simulate` or `skip_actions`;
  // `record_execution` decides only whether the watch state and the watch log are written.
  f.post<{ Params: Params }>('/_signals/watch/:tenant/:id/_execute', access('watch:execute'), async (req, reply) => {
    const b = parseBody(executeBody, req.body);
    const record = await w.execute(req.params.tenant, req.params.id, { ...runOptions(b), recordState: b.record_execution });
    return reply.status(record.status.code === 'EXECUTION_FAILED' ? 422 : 200).send(record);
  });

  f.post<{ Params: { tenant: string } }>('/_signals/watch/:tenant/_execute', access('watch:execute'), async (req, reply) => {
    const b = parseBody(executeBody, req.body);
    if (b.watch === undefined) throw new VigilError('INVALID_REQUEST', 'inline execution needs a "watch" object', { watch: [{ error: 'required' }] });
    const record = await w.executeInline(req.params.tenant, b.watch, runOptions(b));
    return reply.status(record.status.code === 'EXECUTION_FAILED' ? 422 : 200).send(record);
  });

  for (const url of ['/_signals/watch/:tenant/:id/_ack', '/_signals/watch/:tenant/:id/_ack/:action']) {
    f.put<{ Params: Params }>(url, access('watch:ack'), async (req) => {
      const acked = await w.ack(req.params.tenant, req.params.id, req.params.action, req.principal?.name ?? 'unknown');
      return { status: 200, acked };
    });
    f.delete<{ Params: Params }>(url, access('watch:ack'), async (req) => {
      const unacked = await w.unack(req.params.tenant, req.params.id, req.params.action);
      return { status: 200, unacked };
    });
  }

  f.get<{ Params: Params }>('/_signals/watch/:tenant/:id/_state', access('watch:read'), async (req) => {
    const state = await w.state(req.params.tenant, req.params.id);
    return state ?? { actions: {}, last_execution: null, last_status: null };
  });

  const search = async (req: { params: { tenant: string }; body?: unknown; query?: unknown }) => {
    const q = { ...((req.query as Record<string, string>) ?? {}), ...((req.body as Record<string, unknown>) ?? {}) };
    const from = Math.max(0, Number(q.from ?? 0) || 0);
    const size = Math.min(1000, Math.max(0, Number(q.size ?? 10) || 10));
    const all = w.list(req.params.tenant).sort((a, b) => a.ref.id.localeCompare(b.ref.id));
    return {
      hits: {
        total: { value: all.length, relation: 'eq' },
        hits: all.slice(from, from + size).map((lw) => ({
          _id: lw.ref.id,
          _tenant: lw.ref.tenant,
          _version: lw.watch?.version ?? null,
          valid: lw.errors === null,
          active: lw.active ?? false,
          description: lw.watch?.def.description,
        })),
      },
    };
  };
  f.get<{ Params: { tenant: string } }>('/_signals/watch/:tenant/_search', access('watch:read'), search);
  f.post<{ Params: { tenant: string } }>('/_signals/watch/:tenant/_search', access('watch:read'), search);
}
