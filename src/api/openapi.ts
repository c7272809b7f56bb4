/**
 * The OpenAPI 3.1 document of the REST API, generated from fastify's route table: every registered
 * route is an operation, described by what it declares in `schema` (summary, zod schemas of its
 * parameters, body and answers, examples; see route-schema.ts) and by its `config.access` (who may
 * call it). Nothing is listed by hand, so a new route is in the document the moment it is registered.
 */
import type { RouteOptions } from 'fastify';
import type { z } from 'zod';
import type { RouteAccess } from './auth.ts';
import { SchemaSet, type JsonSchema } from './openapi-schemas.ts';
import type { RouteExample } from './route-schema.ts';

export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
}

type Operation = Record<string, unknown>;
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: OpenApiInfo;
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, unknown>;
  tags: Array<{ name: string; description: string }>;
}

const TAGS = [
  { name: 'watches', description: 'Watches: store, read, run, activate, acknowledge (Search Guard Signals API).' },
  { name: 'accounts', description: 'Accounts of the action types, with sealed secrets (Signals API).' },
  { name: 'security', description: 'Users, roles, role mappings, action groups, tenants, tokens, authentication and audit (OpenSearch Security API).' },
  { name: 'notifications', description: 'Notification channels as configs, over the accounts (OpenSearch Notifications plugin API).' },
  { name: 'node', description: 'Health, metrics and this document.' },
];

/** `/_signals/watch/:tenant/:id` → `/_signals/watch/{tenant}/{id}`, and the parameter names in order. */
export function openApiPath(url: string): { path: string; params: string[] } {
  const params: string[] = [];
  const path = url
    .split('/')
    .map((seg) => {
      if (seg.startsWith(':')) {
        params.push(seg.slice(1));
        return `{${seg.slice(1)}}`;
      }
      if (seg === '*') {
        params.push('*');
        return '{*}';
      }
      return seg;
    })
    .join('/');
  return { path, params };
}

function defaultTag(url: string): string {
  if (url.startsWith('/_signals/watch')) return 'watches';
  if (url.startsWith('/_signals/account')) return 'accounts';
  if (url.startsWith('/_plugins/_security') || url.startsWith('/_vigil/security')) return 'security';
  if (url.startsWith('/_plugins/_notifications')) return 'notifications';
  return 'node';
}

function operationId(method: string, path: string): string {
  const words = path.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return [method.toLowerCase(), ...words.map((w) => w[0]!.toUpperCase() + w.slice(1))].join('');
}

/** The zod object's fields, each with whether it is required (for query and path parameters). */
function fieldsOf(schema: z.ZodType | undefined): Map<string, { schema: z.ZodType; required: boolean }> {
  const out = new Map<string, { schema: z.ZodType; required: boolean }>();
  const shape = (schema as { shape?: Record<string, z.ZodType> } | undefined)?.shape;
  for (const [name, field] of Object.entries(shape ?? {})) out.set(name, { schema: field, required: !field.safeParse(undefined).success });
  return out;
}

function exampleMap(examples: readonly RouteExample[], pick: (e: RouteExample) => unknown): Record<string, { summary: string; value: unknown }> | undefined {
  const out: Record<string, { summary: string; value: unknown }> = {};
  for (const e of examples) {
    const value = pick(e);
    if (value !== undefined) out[e.name] = { summary: e.summary, value };
  }
  return Object.keys(out).length ? out : undefined;
}

function parameters(route: RouteOptions, pathParams: string[], examples: readonly RouteExample[], schemas: SchemaSet): unknown[] {
  const declared = fieldsOf(route.schema?.params as z.ZodType | undefined);
  const out: unknown[] = pathParams.map((name) => {
    const field = declared.get(name);
    return {
      name,
      in: 'path',
      required: true,
      schema: field ? schemas.of(field.schema, 'input') : { type: 'string' },
      ...(field?.schema.description ? { description: field.schema.description } : {}),
      ...withExamples(exampleMap(examples, (e) => e.params?.[name])),
    };
  });
  for (const [name, field] of fieldsOf(route.schema?.querystring as z.ZodType | undefined)) {
    out.push({
      name,
      in: 'query',
      required: field.required,
      schema: schemas.of(field.schema, 'input'),
      ...(field.schema.description ? { description: field.schema.description } : {}),
      ...withExamples(exampleMap(examples, (e) => e.query?.[name])),
    });
  }
  return out;
}

const withExamples = (examples: unknown) => (examples ? { examples } : {});

/** The body schema and whether a body is required: a declared `.optional()` body may be left out. */
function requestBody(body: z.ZodType, examples: readonly RouteExample[], schemas: SchemaSet): unknown {
  const optional = body.safeParse(undefined).success;
  const inner = optional && (body.def as { type: string }).type === 'optional' ? (body.def as unknown as { innerType: z.ZodType }).innerType : body;
  return {
    required: !optional,
    content: { 'application/json': { schema: schemas.of(inner, 'input'), ...withExamples(exampleMap(examples, (e) => e.body)) } },
  };
}

function responses(route: RouteOptions, schemas: SchemaSet, errors: { vigil: JsonSchema; security: JsonSchema }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const declared = (route.schema?.response ?? {}) as Record<string, z.ZodType>;
  for (const [status, schema] of Object.entries(declared)) {
    out[status] = { description: schema.description ?? 'Success', content: { 'application/json': { schema: schemas.of(schema, 'output') } } };
  }
  if (!Object.keys(declared).some((s) => s.startsWith('2'))) {
    const produces = route.schema?.produces;
    out['200'] = produces ? { description: 'Success', content: { [produces]: { schema: { type: 'string' } } } } : { description: 'Success' };
  }
  const json = (schema: JsonSchema, description: string) => ({ description, content: { 'application/json': { schema } } });
  const a = (route.config as { access?: RouteAccess } | undefined)?.access;
  if (a && !('public' in a)) {
    out['401'] = json(errors.vigil, 'No valid credentials (UNAUTHORIZED), or too many failures from this address (429 TOO_MANY_REQUESTS).');
    out['403'] = json(errors.vigil, 'The caller lacks the permission (MISSING_PRIVILEGES).');
  }
  const security = defaultTag(route.url) === 'security';
  out.default = json(security ? { anyOf: [errors.security, errors.vigil] } : errors.vigil, 'An error: its `code` says which (docs/troubleshooting.md).');
  return out;
}

/** Who may call the route: the security requirement, and a sentence naming the permission. */
function access(route: RouteOptions): { auth: Operation; needs?: string } {
  const a = (route.config as { access?: RouteAccess } | undefined)?.access;
  if (!a || 'public' in a) return { auth: { security: [] } };
  const permission = 'permission' in a ? a.permission : 'any signed-in caller';
  const tenant = 'tenantParam' in a && a.tenantParam ? a.tenantParam : undefined;
  return {
    auth: { security: [{ bearer: [] }, { basic: [] }], 'x-vigil-permission': permission, ...(tenant ? { 'x-vigil-tenant-parameter': tenant } : {}) },
    needs: 'permission' in a ? `Needs the permission \`${permission}\`${tenant ? ` in the tenant \`{${tenant}}\`` : ''}.` : 'Needs a signed-in caller.',
  };
}

function operation(route: RouteOptions, method: string, path: string, params: string[], schemas: SchemaSet, errors: { vigil: JsonSchema; security: JsonSchema }): Operation {
  const s = route.schema ?? {};
  const examples = s.examples ?? [];
  const { auth, needs } = access(route);
  const description = [s.description, needs].filter(Boolean).join('\n\n');
  const op: Operation = {
    operationId: operationId(method, path),
    summary: s.summary ?? '',
    ...(description ? { description } : {}),
    tags: [...(s.tags ?? [defaultTag(route.url)])],
    ...auth,
  };
  const list = parameters(route, params, examples, schemas);
  if (list.length) op.parameters = list;
  if (s.body) op.requestBody = requestBody(s.body as z.ZodType, examples, schemas);
  op.responses = responses(route, schemas, errors);
  return op;
}

/** The document for the routes of one server. `errors` are the zod schemas of the two error shapes. */
export function buildOpenApi(routes: readonly RouteOptions[], info: OpenApiInfo, errors: { vigil: z.ZodType; security: z.ZodType }): OpenApiDocument {
  const schemas = new SchemaSet();
  const errorSchemas = { vigil: schemas.of(errors.vigil, 'output'), security: schemas.of(errors.security, 'output') };
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const { path, params } = openApiPath(route.url);
    for (const method of [route.method].flat()) {
      const item = (paths[path] ??= {});
      item[method.toLowerCase()] = operation(route, method, path, params, schemas, errorSchemas);
    }
  }
  return {
    openapi: '3.1.0',
    info,
    tags: TAGS,
    paths,
    components: {
      schemas: schemas.components,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API token (`vgl_…`, from `vigil users token` or POST /_vigil/security/tokens), or a JWT when a jwt domain is configured.' },
        basic: { type: 'http', scheme: 'basic', description: 'An internal user and password.' },
      },
    },
  };
}
