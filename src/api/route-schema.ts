/**
 * What a route declares about itself in fastify's `schema`: a summary, the zod schemas of its path
 * parameters, query, body and answers, and examples. The OpenAPI document (`GET /_vigil/openapi.json`)
 * is generated from these declarations and from the route table, so it describes every route.
 *
 * Fastify does not validate with these schemas: each handler validates its input itself, with the same
 * zod schema object it declares here, so that its errors keep the route's own shape (Vigil's
 * `{status, error, code, detail}`, or the OpenSearch Security API's) and its messages. The compilers
 * installed here accept only zod schemas, so a JSON Schema added to a route by habit cannot look like a
 * validation that does not happen.
 */
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';

/** One example request of a route: a name, and the parts it fills in. */
export interface RouteExample {
  /** Unique within the route (it keys the example in the OpenAPI document). */
  readonly name: string;
  readonly summary: string;
  readonly params?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

declare module 'fastify' {
  interface FastifySchema {
    /** One line: what the route does. Every route has one (the OpenAPI test checks it). */
    summary?: string;
    /** More about it, Markdown. */
    description?: string;
    /** Groups routes in the OpenAPI document; by default from the path (watches, accounts, security, node). */
    tags?: readonly string[];
    /** Example requests; the OpenAPI test sends each one to the API. */
    examples?: readonly RouteExample[];
    /** The content type of a successful answer when it is not JSON. */
    produces?: string;
  }
}

const isZod = (s: unknown): s is z.ZodType => typeof s === 'object' && s !== null && '_zod' in s;

const names = new WeakMap<z.ZodType, string>();

/**
 * Gives a schema its name in the OpenAPI document (`#/components/schemas/<name>`) and returns it
 * unchanged. Unnamed schemas are written inline where they are used.
 */
export function component<T extends z.ZodType>(name: string, schema: T): T {
  names.set(schema, name);
  return schema;
}

/** The component name given to a schema, if any. */
export function componentName(schema: z.ZodType): string | undefined {
  return names.get(schema);
}

/** See the module comment: declarations for the OpenAPI document, checked to be zod schemas. */
export function installSchemaCompilers(f: FastifyInstance): void {
  f.setValidatorCompiler(({ schema, method, url, httpPart }) => {
    if (!isZod(schema)) throw new Error(`${method} ${url}: the ${httpPart} schema must be a zod schema (the handler validates with it)`);
    return () => true;
  });
  f.setSerializerCompiler(({ schema, method, url }) => {
    if (!isZod(schema)) throw new Error(`${method} ${url}: response schemas must be zod schemas`);
    return (data) => JSON.stringify(data);
  });
}
