import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { VigilError } from '../../errors.ts';
import { zodDetail } from '../../error-detail.ts';
import { errorSummary, parseSource } from '../../watches/loader.ts';
import { parseRequest, refuseQuery } from '../parse.ts';
import { assertTenant, assertWatchRef, DEFAULT_TENANT } from '../../watches/repository.ts';
import { ID_PATTERN, watchSchemaFor } from '../../watches/schema.ts';
import type { Permission, Principal } from '../../security/types.ts';
import type { RunOptions } from '../../runtime/runner.ts';
import { takeVigilField, type SavedBy } from '../../watches/run-as.ts';
import { component, type RouteExample } from '../route-schema.ts';
import { searchHits, watchLogRecord, watchState } from '../responses.ts';

type Params = { tenant: string; id: string; action?: string };

const executeBody = component(
  'ExecuteRequest',
  z
    .object({
      simulate: z.boolean().default(false).describe('Run the checks and render the actions, but send nothing and change nothing.'),
      skip_actions: z.boolean().default(false).describe('Run the checks only.'),
      input: z.record(z.string(), z.unknown()).optional().describe('The initial `data` (instead of `{}`).'),
      goto: z.string().optional().describe('Start at the check with this name.'),
      record_execution: z.boolean().default(false).describe('Write the watch state and the watch log, as a scheduled run does.'),
      show_all_runtime_attributes: z.boolean().optional().describe('Return the runtime data after the checks as `runtime_attributes`.'),
      watch: z.unknown().optional().describe('The watch to run (inline execution only): a watch document.'),
    })
    .strict(),
);

const idField = (what: string) => z.string().regex(ID_PATTERN).describe(`${what}: [A-Za-z0-9_-]{1,128}`);
const tenantParams = z.object({ tenant: idField('The tenant (`_main`: the watches folder itself; another: its sub-folder)') });
const watchParams = z.object({ tenant: tenantParams.shape.tenant, id: idField('The watch id (its file name)') });
const actionParams = z.object({ ...watchParams.shape, action: z.string().describe('The name of one action of the watch') });

const EXAMPLE_WATCH = {
  trigger: { schedule: { interval: '10m' } },
  checks: [
    { type: 'static', name: 'sample', target: 'sample', value: { errors: 5 } },
    { type: 'condition', name: 'too many errors', lang: 'cel', source: 'data.sample.errors > 3' },
  ],
  actions: [{ type: 'log', name: 'tell the log', level: 'warn', text: '{{data.sample.errors}} errors' }],
};
const example = (summary: string, more: Partial<RouteExample> = {}): RouteExample[] => [
  { name: 'example', summary, params: { tenant: DEFAULT_TENANT, id: 'openapi-example', ...more.params }, ...(more.body !== undefined ? { body: more.body } : {}) },
];
const paging = z.object({
  from: z.coerce.number().int().min(0).optional().describe('First hit (default 0)'),
  size: z.coerce.number().int().min(0).max(1000).optional().describe('Hits to return (default 10, at most 1000)'),
});
const NO_QUERY = 'not supported: _search lists the watches of a tenant by id, paged with from and size (GET /_signals/watch/{tenant}/{id} reads one)';
const searchBody = paging.extend({ query: z.never({ error: NO_QUERY }).optional(), sort: z.never({ error: NO_QUERY }).optional() }).strict();
const watchHit = z.looseObject({ _id: z.string(), _tenant: z.string(), _version: z.string().nullable(), valid: z.boolean(), active: z.boolean(), description: z.string().optional() });

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

/**
 * The caller as a watch records its saver (it then runs as them) and as an execution's caller. Every
 * watch route needs a signed-in caller, so one is always there.
 */
function caller(p: Principal | undefined): SavedBy {
  if (!p) throw new VigilError('UNAUTHORIZED', 'authentication required');
  return { user: p.name, roles: [...p.roles], backend_roles: [...(p.backendRoles ?? [])] };
}

/** Signals-compatible watch endpoints. */
export async function watchRoutes(f: FastifyInstance, app: ApiContext): Promise<void> {
  const w = app.watches;
  const watchBody = component('Watch', watchSchemaFor(app.registry));
  for (const c of app.registry.checks) component(`check-${c.type}`, c.schema);

  // Tenant and watch ids are checked before any handler: a hostile id is a 400, never a lookup.
  f.addHook('preHandler', async (req) => {
    if (!req.routeOptions.url?.startsWith('/_signals/watch/')) return;
    const p = req.params as Partial<Params>;
    if (p.tenant !== undefined) assertTenant(p.tenant);
    if (p.id !== undefined) assertWatchRef({ tenant: p.tenant ?? DEFAULT_TENANT, id: p.id });
  });

  f.put<{ Params: Params }>('/_signals/watch/:tenant/:id', {
    ...access('watch:manage'),
    schema: {
      summary: 'Store a watch (create or replace): validated, written to its file and scheduled',
      description: 'An invalid watch is refused with `400 INVALID_WATCH` and each problem at its JSON path in `detail`; nothing is written.',
      params: watchParams,
      body: watchBody,
      response: {
        200: z.object({ _id: z.string(), _tenant: z.string(), _version: z.string().optional(), result: z.literal('updated') }).describe('Replaced'),
        201: z.object({ _id: z.string(), _tenant: z.string(), _version: z.string().optional(), result: z.literal('created') }).describe('Created'),
      },
      examples: example('A watch that logs a warning when a static value is over a threshold', { body: EXAMPLE_WATCH }),
    },
  }, async (req, reply) => {
    const { created } = await w.put(req.params.tenant, req.params.id, req.body, caller(req.principal));
    const loaded = w.get(req.params.tenant, req.params.id);
    return reply.status(created ? 201 : 200).send({
      _id: req.params.id,
      _tenant: req.params.tenant,
      _version: loaded?.watch?.version,
      result: created ? 'created' : 'updated',
    });
  });

  f.get<{ Params: Params }>('/_signals/watch/:tenant/:id', {
    ...access('watch:read'),
    schema: {
      summary: 'Read a watch: its source as stored, and its validation errors if the file is invalid',
      params: watchParams,
      response: {
        200: z.looseObject({
          _id: z.string(),
          _tenant: z.string(),
          found: z.literal(true),
          _version: z.string().nullable(),
          active: z.boolean().describe('Whether the watch is active in effect (the `_active` API overrides the file\'s own `active`)'),
          _source: z.unknown().describe('The watch file as stored'),
          errors: z.unknown().optional().describe('Validation errors by field path, when the file is not a valid watch'),
        }),
      },
      examples: example('The example watch'),
    },
  }, async (req) => {
    const loaded = w.get(req.params.tenant, req.params.id);
    if (!loaded) throw new VigilError('NOT_FOUND', `watch ${req.params.tenant}/${req.params.id} not found`);
    const read = await app.watchRepository.get(loaded.ref);
    // Gone or unreadable since it was loaded: the watch service unschedules such a watch too.
    if (read.status !== 'found') throw new VigilError('NOT_FOUND', `watch ${req.params.tenant}/${req.params.id} not found`);
    const source = parseSource(read.source.text);
    // No source to show: answer with the load error (its parse position), as validation reports it.
    if (!source.ok) throw new VigilError('INVALID_WATCH', errorSummary(source.detail), source.detail);
    // `_source` is what a client may send back (a PUT refuses `_vigil`); who saved it is shown beside it.
    const { definition, savedBy } = takeVigilField(source.value);
    return {
      _id: req.params.id,
      _tenant: req.params.tenant,
      found: true,
      _version: loaded.watch?.version ?? null,
      // In effect now: the `_active` API overrides the definition's own `active`.
      active: loaded.active ?? false,
      _source: definition,
      ...(savedBy ? { _saved_by: { user: savedBy.user, roles: savedBy.roles } } : {}),
      ...(loaded.errors ? { errors: loaded.errors } : {}),
    };
  });

  f.delete<{ Params: Params }>('/_signals/watch/:tenant/:id', {
    ...access('watch:manage'),
    schema: {
      summary: 'Delete a watch: its file is removed and it is unscheduled',
      params: watchParams,
      response: { 200: z.object({ _id: z.string(), result: z.literal('deleted') }) },
      examples: example('The example watch'),
    },
  }, async (req) => {
    if (!(await w.delete(req.params.tenant, req.params.id))) throw new VigilError('NOT_FOUND', `watch ${req.params.tenant}/${req.params.id} not found`);
    return { _id: req.params.id, result: 'deleted' };
  });

  for (const [method, active] of [['PUT', true], ['DELETE', false]] as const) {
    f.route<{ Params: Params }>({
      method,
      url: '/_signals/watch/:tenant/:id/_active',
      ...access('watch:activate'),
      schema: {
        summary: active ? 'Activate a watch (overrides its file\'s `active`)' : 'Deactivate a watch: it is not scheduled until activated',
        params: watchParams,
        response: { 200: z.object({ status: z.literal(200), active: z.boolean() }) },
        examples: example('The example watch'),
      },
      handler: async (req) => {
        await w.setActive(req.params.tenant, req.params.id, active);
        return { status: 200, active };
      },
    });
  }

  // As in Signals: the actions are sent (through the outbox) unless `simulate` or `skip_actions`;
  // `record_execution` decides only whether the watch state and the watch log are written.
  const executed = { 200: watchLogRecord, 422: watchLogRecord.describe('A check failed: `status.code` is EXECUTION_FAILED') };
  f.post<{ Params: Params }>('/_signals/watch/:tenant/:id/_execute', {
    ...access('watch:execute'),
    schema: {
      summary: 'Run a stored watch now; answers its execution-log record',
      description: 'The actions are sent (through the outbox) unless `simulate` or `skip_actions` is set. Details: docs/rest-api.md.',
      params: watchParams,
      body: executeBody.optional(),
      response: executed,
      examples: example('Run it, rendering the actions without sending them', { body: { simulate: true, show_all_runtime_attributes: true } }),
    },
  }, async (req, reply) => {
    refuseQuery(req.query, '_execute');
    const b = parseBody(executeBody, req.body);
    const record = await w.execute(req.params.tenant, req.params.id, { ...runOptions(b), recordState: b.record_execution, caller: caller(req.principal) });
    return reply.status(record.status.code === 'EXECUTION_FAILED' ? 422 : 200).send(record);
  });

  f.post<{ Params: { tenant: string } }>('/_signals/watch/:tenant/_execute', {
    ...access('watch:execute'),
    schema: {
      summary: 'Run the watch given in the body (`watch`) without storing it',
      description: 'The watch is checked like a stored one first. The actions are sent unless `simulate` or `skip_actions` is set.',
      params: tenantParams,
      body: executeBody,
      response: executed,
      examples: [{ name: 'inline', summary: 'Try a watch before storing it', params: { tenant: DEFAULT_TENANT }, body: { watch: EXAMPLE_WATCH, simulate: true } }],
    },
  }, async (req, reply) => {
    refuseQuery(req.query, '_execute');
    const b = parseBody(executeBody, req.body);
    if (b.watch === undefined) throw new VigilError('INVALID_REQUEST', 'inline execution needs a "watch" object', { watch: [{ error: 'required' }] });
    const record = await w.executeInline(req.params.tenant, b.watch, runOptions(b), caller(req.principal));
    return reply.status(record.status.code === 'EXECUTION_FAILED' ? 422 : 200).send(record);
  });

  for (const url of ['/_signals/watch/:tenant/:id/_ack', '/_signals/watch/:tenant/:id/_ack/:action']) {
    const one = url.endsWith(':action');
    const params = one ? actionParams : watchParams;
    const ackExample = example('The example watch', one ? { params: { action: 'tell the log' } } : {});
    f.put<{ Params: Params }>(url, {
      ...access('watch:ack'),
      schema: {
        summary: one ? 'Acknowledge one action of a watch' : 'Acknowledge every action of a watch',
        description: 'An acknowledged action sends nothing until a check of the watch is false again. `412 PRECONDITION_FAILED` until a run had a positive check.',
        params,
        response: { 200: z.object({ status: z.literal(200), acked: z.array(z.string()) }) },
        examples: ackExample,
      },
    }, async (req) => {
      const acked = await w.ack(req.params.tenant, req.params.id, req.params.action, req.principal?.name ?? 'unknown');
      return { status: 200, acked };
    });
    f.delete<{ Params: Params }>(url, {
      ...access('watch:ack'),
      schema: {
        summary: one ? 'Withdraw the acknowledgement of one action' : 'Withdraw the acknowledgements of a watch',
        params,
        response: { 200: z.object({ status: z.literal(200), unacked: z.array(z.string()) }) },
        examples: ackExample,
      },
    }, async (req) => {
      const unacked = await w.unack(req.params.tenant, req.params.id, req.params.action);
      return { status: 200, unacked };
    });
  }

  f.get<{ Params: Params }>('/_signals/watch/:tenant/:id/_state', {
    ...access('watch:read'),
    schema: {
      summary: 'The state of a watch: per action its last runs, status, acknowledgement and episode',
      params: watchParams,
      response: { 200: watchState },
      examples: example('The example watch'),
    },
  }, async (req) => {
    const state = await w.state(req.params.tenant, req.params.id);
    return state ?? { actions: {}, last_execution: null, last_status: null };
  });

  const search = async (req: { params: { tenant: string }; body?: unknown; query?: unknown }) => {
    // Strict: a Signals `query` or `sort` would otherwise be dropped, and every watch listed as if it matched.
    const q = { ...parseRequest(paging.strict(), req.query, 'query string'), ...parseRequest(searchBody, req.body, 'body') };
    const from = q.from ?? 0;
    const size = q.size ?? 10;
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
  const searchSchema = {
    summary: 'List the watches of a tenant, by id',
    params: tenantParams,
    response: { 200: searchHits(watchHit) },
  };
  const tenantExample = (body?: unknown): RouteExample[] => [{ name: 'page', summary: 'The first page', params: { tenant: DEFAULT_TENANT }, ...(body ? { body } : { query: { size: '20' } }) }];
  f.get<{ Params: { tenant: string } }>('/_signals/watch/:tenant/_search', { ...access('watch:read'), schema: { ...searchSchema, querystring: paging, examples: tenantExample() } }, search);
  f.post<{ Params: { tenant: string } }>('/_signals/watch/:tenant/_search', {
    ...access('watch:read'),
    schema: { ...searchSchema, description: '`from` and `size` may be given in the body or the query.', querystring: paging, body: searchBody.optional(), examples: tenantExample({ from: 0, size: 20 }) },
  }, search);
}
