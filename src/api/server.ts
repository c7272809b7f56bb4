import { clientErrorHandler } from './client-errors.ts';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest, type RouteOptions } from 'fastify';
import { readFileSync } from 'node:fs';
import { VigilError } from '../errors.ts';
import type { Principal } from '../security/types.ts';
import type { RouteAccess } from './auth.ts';
import type { ApiContext } from './context.ts';
import { installErrorHandler } from './errors.ts';
import { installPretty } from './pretty.ts';
import { installSchemaCompilers } from './route-schema.ts';
import { accountRoutes } from './routes/accounts.ts';
import { deliveryRoutes } from './routes/deliveries.ts';
import { historyRoutes } from './routes/history.ts';
import { healthRoutes } from './routes/health.ts';
import { clusterRoutes } from './routes/cluster.ts';
import { openApiRoutes } from './routes/openapi.ts';
import { proxyRoutes } from './routes/proxies.ts';
import { truststoreRoutes } from './routes/truststores.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { securityRoutes } from './routes/security.ts';
import { watchRoutes } from './routes/watches.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

/** Seams of the server that the configuration does not set. */
export interface ServerOptions {
  /** Called for every route as it is registered (tests walk the route table with it). */
  onRoute?: (route: RouteOptions) => void;
  /** Time a client has to send its request headers (slowloris guard). Default 10 000 ms. */
  headersTimeoutMs?: number;
}

const MAX_DEPTH = 64;

function depthExceeds(v: unknown, max: number): boolean {
  // Iterative, so a hostile document cannot blow the stack here either.
  const stack: Array<[unknown, number]> = [[v, 1]];
  while (stack.length) {
    const [node, d] = stack.pop()!;
    if (node && typeof node === 'object') {
      if (d > max) return true;
      for (const child of Object.values(node)) stack.push([child, d + 1]);
    }
  }
  return false;
}

/**
 * `Content-Type: application/json` with an empty body is a request without a body, as Elasticsearch
 * reads it: scripts often send that header on every call, DELETE and `_execute` included. A route that
 * needs a body sees none and refuses it as it refuses a request without the header.
 */
function acceptEmptyJson(f: FastifyInstance): void {
  const parse = f.getDefaultJsonParser('error', 'error');
  f.removeContentTypeParser('application/json');
  f.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (body.length === 0) done(null, undefined);
    else parse(req, body as string, done);
  });
}

/**
 * The REST API on fastify, every route registered (health, the OpenAPI document, watches, security,
 * accounts, notification configs): bounded bodies and header/request timeouts, JSON errors in one
 * shape, request logs without bodies or credentials, a permission declared on every route, checked by
 * `app.auth`, and the route table kept for the OpenAPI document. Body limit and TLS come from the
 * configuration's `api` section. The server is not listening yet.
 */
export async function buildServer(app: ApiContext, o: ServerOptions = {}): Promise<FastifyInstance> {
  const auth = app.auth;
  const tls = app.config.api.tls;
  // Slowloris: a client must finish its headers in time. Node enforces headersTimeout only when it sweeps
  // its connections (every connectionsCheckingInterval, 30 s by default), so sweep often enough too.
  const headersTimeout = o.headersTimeoutMs ?? 10_000;
  const timeouts = { headersTimeout, connectionsCheckingInterval: Math.min(1_000, Math.max(100, Math.floor(headersTimeout / 4))) };
  const f: FastifyInstance = Fastify({
    loggerInstance: app.logger.child({ component: 'api' }) as FastifyBaseLogger,
    bodyLimit: app.config.api.body_limit,
    connectionTimeout: 30_000,
    requestTimeout: 30_000,
    keepAliveTimeout: 5_000,
    // Long enough that an oversized id reaches its route and is refused there (400), not as "no route".
    routerOptions: { maxParamLength: 16_384 },
    return503OnClosing: true,
    clientErrorHandler,
    logController: new AccessLog(),
    // X-Forwarded-For is believed only from the configured proxies; by default the client address is the
    // connection's peer, so a client cannot pick the address the login limits and the audit log see.
    // The auth provider may own the list (it can be changed at run time through the security configuration).
    trustProxy: auth?.trustProxy ? (addr: string, hop: number) => auth.trustProxy!(addr, hop) : app.config.api.trust_proxy.length ? [...app.config.api.trust_proxy] : false,
    ...(tls
      ? { https: { cert: readFileSync(tls.cert_file), key: readFileSync(tls.key_file), minVersion: 'TLSv1.2' as const, ...timeouts } }
      : { http: timeouts }),
  });
  f.server.headersTimeout = headersTimeout;
  installErrorHandler(f);
  installSchemaCompilers(f);
  acceptEmptyJson(f);
  installPretty(f);
  // The route table the OpenAPI document is generated from: every route, as it is registered.
  const routes: RouteOptions[] = [];
  f.addHook('onRoute', (route) => void routes.push(route));
  if (o.onRoute) f.addHook('onRoute', o.onRoute);

  f.addHook('preValidation', async (req) => {
    if (req.body !== undefined && depthExceeds(req.body, MAX_DEPTH)) {
      throw new VigilError('INVALID_REQUEST', `JSON body is nested deeper than ${MAX_DEPTH} levels`);
    }
  });

  f.addHook('onRequest', async (req: FastifyRequest) => {
    const access = req.routeOptions.config.access;
    if (!access || 'public' in access) return;
    if (!auth) throw new VigilError('UNAUTHORIZED', 'authentication is not configured on this node (create a user with `vigil users add`)');
    let principal: Principal;
    try {
      principal = await auth.authenticate(req);
    } catch (e) {
      const status = e instanceof VigilError ? e.status : 401;
      auth.audit?.({ user: null, address: req.ip, method: req.method, path: req.url.split('?')[0]!, outcome: 'FAILED_LOGIN', status });
      throw e;
    }
    req.principal = principal;
    const permission = 'permission' in access ? access.permission : null;
    const tenant =
      'tenantParam' in access && access.tenantParam
        ? (req.params as Record<string, string | undefined>)[access.tenantParam]
        : 'tenantOf' in access && access.tenantOf
          ? await access.tenantOf(req)
          : undefined;
    if (!auth.authorize(principal, permission, { tenant, method: req.method, route: req.routeOptions.url ?? req.url })) {
      auth.audit?.({ user: principal.name, address: req.ip, method: req.method, path: req.url.split('?')[0]!, outcome: 'MISSING_PRIVILEGES', status: 403 });
      throw new VigilError('MISSING_PRIVILEGES', `no permission ${permission ?? `for ${req.method} ${req.routeOptions.url}`}${tenant ? ` for tenant ${tenant}` : ''}`);
    }
  });

  // A change is answered only once it is on disk: the state store fsyncs off the main thread, so a write
  // route's 200 waits here for the fsync that covers it (reads skip it: nothing of theirs to make durable).
  f.addHook('onSend', async (req, _reply, payload) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') await app.store.durable();
    return payload;
  });

  f.addHook('onResponse', async (req, reply) => {
    // Every authenticated request is offered; the provider's audit configuration decides what is kept.
    if (!auth?.audit || !req.principal) return;
    auth.audit({
      user: req.principal.name,
      address: req.ip,
      method: req.method,
      path: req.url.split('?')[0]!,
      outcome: reply.statusCode < 400 ? 'SUCCESS' : reply.statusCode < 500 ? 'BAD_REQUEST' : 'ERROR',
      status: reply.statusCode,
      ...(req.routeOptions.url ? { route: req.routeOptions.url } : {}),
      body: req.body,
    });
  });

  await healthRoutes(f, app);
  await clusterRoutes(f, app);
  await openApiRoutes(f, routes);
  await watchRoutes(f, app);
  await historyRoutes(f, app);
  await deliveryRoutes(f, app);
  await securityRoutes(app.security)(f);
  await accountRoutes(app)(f);
  await proxyRoutes(app)(f);
  await truststoreRoutes(app)(f);
  await notificationRoutes(app)(f);
  return f;
}

/**
 * The access log: one line per request, at debug (a scraper or an orchestrator's probes would fill an
 * info log), instead of fastify's two info lines; the path without its query string, which may carry a
 * token. A request that failed in fastify itself is still logged as an error.
 */
class AccessLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, req: FastifyRequest, reply: FastifyReply): void {
    if (error) return super.requestCompleted(error, req, reply);
    req.log.debug({ method: req.method, path: req.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10, ip: req.ip }, 'request');
  }

  override routeNotFound(req: FastifyRequest): void {
    req.log.debug({ method: req.method, path: req.url.split('?')[0] }, 'no such route');
  }
}
