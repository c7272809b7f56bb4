/**
 * Builds the whole app in-process on a temp directory (buildApp: the API with every route, security
 * included) for API tests driven with fastify `inject()`. Log lines are captured so tests can grep them
 * for secrets.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse, RouteOptions } from 'fastify';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { VigilConfigInput } from '../../src/config/schema.ts';
import type { Security } from '../../src/security/service.ts';
import type { LoginGuardOptions } from '../../src/security/login-guard.ts';
import type { PasswordChecker } from '../../src/security/passwords.ts';
import { captureLogger } from '../kit/log-capture.ts';
import type { Clock } from '../../src/clock.ts';
import type { RegistryTypes } from '../../src/registry/registry.ts';
import type { HttpClient } from '../../src/net/types.ts';

export interface Harness {
  app: App;
  api: FastifyInstance;
  security: Security;
  routes: RouteOptions[];
  base: string;
  /** Every log line written so far (JSON text). */
  logs: string[];
  /** Every response body seen through `call`. */
  bodies: string[];
  call(o: InjectOptions): Promise<LightMyRequestResponse>;
  /** A token for a token-only user with these roles (no Argon2id cost). */
  tokenFor(user: string, roles: string[]): Promise<string>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  masterKey?: boolean;
  limiter?: LoginGuardOptions;
  /** Replaces the Argon2id pool (a gated one, to hold hashes in flight). */
  hasher?: PasswordChecker;
  /** `api.trust_proxy`. */
  trustProxy?: string[];
  headersTimeoutMs?: number;
  bodyLimit?: number;
  clock?: Clock;
  egressAllow?: string[];
  /** `egress.disabled_action_types`. */
  disabledActionTypes?: string[];
  /** `api.tls`: the API is served over TLS with these files. */
  tls?: { cert_file: string; key_file: string };
  /** The check and action types to register instead of Vigil's own. */
  types?: RegistryTypes;
  /** Further configuration sections (`clusters`, `security`…), over what the options above set. */
  config?: Partial<VigilConfigInput>;
  /** Variables of the environment the app is started with, beside the master key (`AWS_ACCESS_KEY_ID`…). */
  env?: Record<string, string>;
  /** The HTTP client deliveries and account tests send through, instead of one built from the config. */
  http?: HttpClient;
}

export const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
export const bearer = (token: string) => `Bearer ${token}`;

export async function startHarness(o: HarnessOptions = {}): Promise<Harness> {
  const base = await mkdtemp(join(tmpdir(), 'vigil-api-'));
  const { logger, raw: logs } = captureLogger('trace');
  const config = loadConfig({
    env: {},
    overrides: {
      data_dir: join(base, 'data'),
      watches_dir: join(base, 'watches'),
      accounts_dir: join(base, 'accounts'),
      ...(o.egressAllow || o.disabledActionTypes ? { egress: { allow: o.egressAllow ?? [], disabled_action_types: o.disabledActionTypes ?? [] } } : {}),
      ...(o.trustProxy || o.tls || o.bodyLimit
        ? { api: { ...(o.trustProxy ? { trust_proxy: o.trustProxy } : {}), ...(o.tls ? { tls: o.tls } : {}), ...(o.bodyLimit ? { body_limit: o.bodyLimit } : {}) } }
        : {}),
      ...o.config,
    },
  });
  const env = { ...o.env, ...(o.masterKey === false ? {} : { VIGIL_MASTER_KEY: randomBytes(32).toString('base64') }) };
  const routes: RouteOptions[] = [];
  const app = await buildApp(config, {
    env,
    logger,
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.types ? { types: o.types } : {}),
    ...(o.http ? { http: o.http } : {}),
    security: { ...(o.limiter ? { limiter: o.limiter } : {}), ...(o.hasher ? { hasher: o.hasher } : {}) },
    server: { onRoute: (r) => void routes.push(r), ...(o.headersTimeoutMs ? { headersTimeoutMs: o.headersTimeoutMs } : {}) },
  });
  const { server: api, security } = app;
  await api.ready();
  const bodies: string[] = [];
  return {
    app,
    api,
    security,
    routes,
    base,
    logs,
    bodies,
    async call(req) {
      const res = await api.inject(req);
      bodies.push(res.body, JSON.stringify(res.headers));
      return res;
    },
    async tokenFor(user, roles) {
      if (!security.users.get(user)) await security.users.put({ name: user, hash: '', roles, backendRoles: [], attributes: {}, reserved: false, hidden: false, updatedAt: 0 });
      return (await security.tokens.create(user, app.clock.now())).token;
    },
    async close() {
      await app.stop();
      await rm(base, { recursive: true, force: true });
    },
  };
}

/** A harness with the headers of a signed-in admin, for suites that mostly call as one. */
export type AdminHarness = Harness & { admin: Record<string, string> };

/** Starts a harness and signs an admin in (a token for `root` with the `admin` role). */
export async function startAdminHarness(o: HarnessOptions = {}): Promise<AdminHarness> {
  const h = await startHarness(o);
  return Object.assign(h, { admin: { authorization: bearer(await h.tokenFor('root', ['admin'])) } });
}
