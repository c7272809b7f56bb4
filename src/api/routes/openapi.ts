import { readFileSync } from 'node:fs';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { z } from 'zod';
import { buildOpenApi, type OpenApiDocument } from '../openapi.ts';
import { errorResponse, securityErrorResponse } from '../responses.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * `GET /_vigil/openapi.json`: the OpenAPI 3.1 document of every route in `routes` (the server's route
 * table, filled as routes are registered). Built at the first request, when the table is complete.
 * Public, like the health check: it describes the API and holds nothing of this node's.
 */
export async function openApiRoutes(f: FastifyInstance, routes: readonly RouteOptions[]): Promise<void> {
  let doc: OpenApiDocument | undefined;
  f.get(
    '/_vigil/openapi.json',
    {
      config: { access: { public: true } },
      schema: {
        summary: 'This document: the OpenAPI 3.1 description of every route',
        tags: ['node'],
        response: { 200: z.looseObject({ openapi: z.literal('3.1.0'), paths: z.record(z.string(), z.unknown()) }).describe('The OpenAPI document') },
      },
    },
    async () =>
      (doc ??= buildOpenApi(
        routes,
        {
          title: 'Vigil REST API',
          version: VERSION,
          description: 'Watches and accounts as in Search Guard Signals, access control as in the OpenSearch Security plugin. Reference: docs/rest-api.md.',
        },
        { vigil: errorResponse, security: securityErrorResponse },
      )),
  );
}
