/**
 * `GET /_vigil/openapi.json`: generated from the route table, it describes every registered route
 * (walked with onRoute here, independently), its references resolve, and every example in it is
 * accepted by the API and answered as the route declares.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteOptions } from 'fastify';
import type { z } from 'zod';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import Fastify from 'fastify';
import { z as zod } from 'zod';
import { openApiPath } from '../../src/api/openapi.ts';
import { installSchemaCompilers } from '../../src/api/route-schema.ts';
import { bearer, startHarness, type Harness } from './harness.ts';

type Doc = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };
type Operation = {
  summary: string;
  security: unknown[];
  'x-vigil-permission'?: string;
  parameters?: Array<{ name: string; in: 'path' | 'query'; required?: boolean; examples?: Record<string, { value: string }> }>;
  requestBody?: { content: { 'application/json': { schema: unknown; examples?: Record<string, { value: unknown }> } } };
  responses: Record<string, unknown>;
};

/** Errors that say the request itself was malformed: an example must never get one of these. */
const VALIDATION_CODES = ['INVALID_REQUEST', 'INVALID_WATCH', 'INVALID_ID', 'TEMPLATE_COMPILE_ERROR'];
/** Writes first, so the reads and deletes of the same examples find something; a resource is deleted after what is under it. */
const ORDER = ['put', 'post', 'patch', 'get', 'head', 'delete'];
const byOrder = (a: { method: string; path: string }, b: { method: string; path: string }) =>
  ORDER.indexOf(a.method) - ORDER.indexOf(b.method) || (a.method === 'delete' ? b.path.length - a.path.length : 0) || a.path.localeCompare(b.path);

let h: Harness;
let token: string;
let doc: Doc;
beforeAll(async () => {
  // A running node, as an operator's client meets it: started and bound (readiness answers 200).
  h = await startHarness({ config: { listen: '127.0.0.1:0' } });
  await h.app.start();
  await h.app.listen();
  token = await h.tokenFor('openapi-admin', ['admin']);
  const res = await h.call({ method: 'GET', url: '/_vigil/openapi.json' });
  expect(res.statusCode).toBe(200);
  doc = res.json();
});
afterAll(async () => h.close());

const routeFor = (method: string, path: string): RouteOptions =>
  h.routes.find((r) => openApiPath(r.url).path === path && [r.method].flat().some((m) => m.toLowerCase() === method))!;

function operations(): Array<{ method: string; path: string; op: Operation }> {
  return Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ method, path, op })));
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 and has one operation, with a summary, for each method and URL of the route table, and no other', () => {
    expect(doc.openapi).toBe('3.1.0');
    const table = new Set(h.routes.flatMap((r) => [r.method].flat().map((m) => `${m.toLowerCase()} ${openApiPath(r.url).path}`)));
    const documented = new Set(operations().map((o) => `${o.method} ${o.path}`));
    expect(table.size).toBeGreaterThan(100);
    expect([...table].filter((k) => !documented.has(k))).toEqual([]);
    expect([...documented].filter((k) => !table.has(k))).toEqual([]);
    const unsummarised = operations().filter((o) => !o.op.summary).map((o) => `${o.method} ${o.path}`);
    expect(unsummarised, 'routes without schema.summary').toEqual([]);
  });

  it('says who may call each route: the permission it declares, or no credentials for public routes', () => {
    for (const { method, path, op } of operations()) {
      const access = (routeFor(method, path).config as { access: Record<string, unknown> }).access;
      if ('public' in access) expect(op.security, path).toEqual([]);
      else expect(op['x-vigil-permission'], path).toBe('permission' in access ? access.permission : 'any signed-in caller');
    }
    expect(doc.paths['/_signals/watch/{tenant}/{id}']!.put!['x-vigil-permission']).toBe('watch:manage');
  });

  it('has every reference resolve inside the document', () => {
    const refs = new Set<string>();
    const walk = (n: unknown): void => {
      if (Array.isArray(n)) n.forEach(walk);
      else if (n && typeof n === 'object') for (const [k, v] of Object.entries(n)) k === '$ref' ? refs.add(v as string) : walk(v);
    };
    walk(doc);
    expect(refs.size).toBeGreaterThan(10);
    for (const ref of refs) {
      expect(ref, ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas, ref).toHaveProperty([ref.slice('#/components/schemas/'.length)]);
    }
  });

  it('sends every example to the API: none is refused as invalid, and each answer matches the schema the route declares', async () => {
    const ajv = new Ajv2020({ strict: false, inlineRefs: false, code: { optimize: false } });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    ajv.addSchema({ $id: 'openapi', components: doc.components });
    const sent: string[] = [];
    const ops = operations().sort(byOrder);
    for (const { method, path, op } of ops) {
      const route = routeFor(method, path);
      const bodyExamples = op.requestBody?.content['application/json'].examples ?? {};
      const names = new Set([...Object.keys(bodyExamples), ...(op.parameters ?? []).flatMap((p) => Object.keys(p.examples ?? {}))]);
      for (const name of names) {
        let url = path;
        const query = new URLSearchParams();
        for (const p of op.parameters ?? []) {
          const value = p.examples?.[name]?.value;
          if (p.in === 'path') {
            expect(value, `${method} ${path} example ${name}: no value for {${p.name}}`).toBeDefined();
            url = url.replace(`{${p.name}}`, encodeURIComponent(value!));
          } else if (value !== undefined) query.set(p.name, value);
        }
        const body = bodyExamples[name]?.value;
        const what = `${method.toUpperCase()} ${url} (${name})`;
        if (body !== undefined) {
          // The example is what the declared zod schema accepts, and what the generated JSON Schema accepts.
          const declared = route.schema!.body as z.ZodType;
          expect(declared.safeParse(body).success, `${what}: body refused by its zod schema`).toBe(true);
          const validate = ajv.compile(againstDocument(op.requestBody!.content['application/json'].schema));
          expect(validate(body), `${what}: ${JSON.stringify(validate.errors)}`).toBe(true);
        }
        const res = await h.call({
          method: method.toUpperCase() as 'GET',
          url: `${url}${query.size ? `?${query}` : ''}`,
          headers: { authorization: bearer(token) },
          ...(body !== undefined ? { payload: body as object } : {}),
        });
        sent.push(what);
        expect(res.statusCode, `${what}: ${res.body}`).not.toBe(400);
        expect(res.statusCode, `${what}: ${res.body}`).toBeLessThan(500);
        const answer = res.body ? (res.json() as { code?: string; error?: string }) : {};
        expect(VALIDATION_CODES, `${what}: ${res.body}`).not.toContain(answer.code);
        expect(answer.error ?? '', what).not.toMatch(/^No route/);
        expectDeclaredAnswer(route, res.statusCode, res.body, what);
      }
    }
    expect(sent.length).toBeGreaterThan(40);
    // The families whose examples depend on each other reached their writes.
    expect(sent).toEqual(expect.arrayContaining([expect.stringMatching(/^PUT \/_signals\/watch\/_main\/openapi-example /), expect.stringMatching(/^PUT \/_signals\/account\/webhook\//)]));
  });

  it('answers every parameterless read as the route declares', async () => {
    // Parameterless: no path parameter and no required query parameter (those are sent by their examples above).
    const parameterless = (o: { path: string; op: Operation }) => !o.path.includes('{') && !(o.op.parameters ?? []).some((p) => p.in === 'query' && p.required);
    for (const { method, path } of operations().filter((o) => o.method === 'get' && parameterless(o))) {
      const res = await h.call({ method: 'GET', url: path, headers: { authorization: bearer(token) } });
      // The OpenSearch endpoints that do not apply to Vigil say so.
      if (res.statusCode === 501 && res.json().code === 'NOT_IMPLEMENTED') continue;
      // Several daemons exist only on the cluster backend; test/app/cluster-daemons.test.ts checks that answer against its schema.
      if (path === '/_vigil/cluster' && res.statusCode === 404 && res.json().code === 'NOT_FOUND') continue;
      expect(res.statusCode, `${path}: ${res.body}`).toBeLessThan(400);
      if (routeFor(method, path).schema?.produces) continue;
      expectDeclaredAnswer(routeFor(method, path), res.statusCode, res.body, path);
    }
  });
});

/** A schema of the document made compilable on its own: its references point into the added document. */
function againstDocument(schema: unknown): object {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/')) as object;
}

function expectDeclaredAnswer(route: RouteOptions, status: number, body: string, what: string): void {
  const declared = (route.schema?.response as Record<string, z.ZodType> | undefined)?.[String(status)];
  if (!declared || !body) return;
  const parsed = declared.safeParse(JSON.parse(body));
  expect(parsed.success, `${what}: answer ${status} does not match its declared schema: ${JSON.stringify(parsed.error?.issues)} ${body.slice(0, 500)}`).toBe(true);
}

describe('route schemas', () => {
  it('are zod schemas only: a JSON Schema, which fastify would otherwise enforce, fails the start', async () => {
    const withJsonSchema = Fastify();
    installSchemaCompilers(withJsonSchema);
    withJsonSchema.post('/x', { schema: { body: { type: 'object' } } }, async () => ({}));
    await expect(withJsonSchema.ready()).rejects.toThrow(/POST \/x: the body schema must be a zod schema/);

    const withZod = Fastify();
    installSchemaCompilers(withZod);
    withZod.post('/x', { schema: { body: zod.object({ a: zod.number() }), response: { 200: zod.object({ a: zod.number() }) } } }, async (req) => req.body as object);
    // The handler validates; the declaration documents: fastify passes the body on as sent.
    const res = await withZod.inject({ method: 'POST', url: '/x', payload: { a: 'not a number' } });
    expect(res.json()).toEqual({ a: 'not a number' });
    await Promise.all([withJsonSchema.close(), withZod.close()]);
  });
});
