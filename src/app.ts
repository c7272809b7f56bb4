/**
 * The composition root: the one place the daemon is wired. `buildApp` builds the engine
 * (`buildRuntime`), the security service and the REST API on top of it; `vigil run`, the API tests and
 * embedders all start from here.
 */
import type { FastifyInstance } from 'fastify';
import { listenOn } from './api/listen.ts';
import { buildServer, type ServerOptions } from './api/server.ts';
import type { VigilConfig } from './config/schema.ts';
import { createAuthProvider } from './security/provider.ts';
import { createRunAs } from './security/run-as.ts';
import type { RunAsResolver } from './watches/run-as.ts';
import type { Security, SecurityOptions } from './security/service.ts';
import type { AuthProvider } from './security/types.ts';
import { buildRuntime, NO_INDEX_ACCESS, type Runtime, type RuntimeDeps } from './app/runtime.ts';

/** What tests and embedders may replace; everything else is built from the config. */
export interface AppDeps extends Omit<RuntimeDeps, 'runAs'> {
  /** Replaces the API's authentication and authorisation (tests of routes that are not about access control). */
  auth?: AuthProvider;
  /** The password hasher (a gated one holds hashes in flight) and login limits instead of `api.auth_failures`. */
  security?: Pick<SecurityOptions, 'hasher' | 'limiter'>;
  /** Seams of the API server the configuration does not set. */
  server?: ServerOptions;
}

/** The whole daemon: the engine, the security service and the REST API (built, not yet listening). */
export interface App extends Runtime {
  /** Users, roles, tokens, the audit log. */
  security: Security;
  /** Who authenticates and authorises API requests: `security`, unless `AppDeps.auth` replaced it. */
  auth: AuthProvider | null;
  /** The REST API (`inject()` drives it in tests). */
  server: FastifyInstance;
  /** Binds the API to `config.listen`; LISTEN_FAILED names the address when it cannot. */
  listen(): Promise<void>;
  /**
   * SIGTERM: as `Runtime.stop`, and the API first stops taking connections (requests in flight are
   * answered), then, once runs and deliveries are done, gets a moment for what is still open before its
   * connections are closed, and the security service closes.
   */
  stop(): Promise<void>;
}

/** Requests still open once runs and deliveries are done get this long before their connections are closed. */
const API_CLOSE_MS = 500;

/**
 * Builds the whole daemon from a config without touching process-wide state (no signal handlers, no
 * process.exit): `vigil run` and the tests both embed it.
 */
export async function buildApp(config: VigilConfig, deps: AppDeps = {}): Promise<App> {
  // The engine opens the state store the security service reads, so the service comes second: until
  // it is there (nothing runs before `start`), every watch has no index access.
  let runAs: RunAsResolver = NO_INDEX_ACCESS;
  const runtime = await buildRuntime(config, { ...deps, runAs: { forWatch: (w) => runAs.forWatch(w) } });
  let security: Security | undefined;
  try {
    security = await createAuthProvider(runtime, deps.security ?? {});
    runAs = createRunAs(security.directory, { defaultRole: config.security.default_run_as_role });
    const context = { ...runtime, security, auth: deps.auth ?? security };
    const server = await buildServer(context, deps.server);
    const closeSecurity = security;
    return {
      ...context,
      server,
      listen: async () => {
        await listenOn(server, config.listen);
        runtime.health.markListening();
      },
      async stop() {
        runtime.halt();
        // No new connections from now on; requests in flight are answered (an execution ends with the grace period).
        const apiClosed = server.close();
        await runtime.stop({
          beforeClose: async () => {
            // What is still open now is not waiting for a run (those ended with the grace period): a
            // client that never finishes its request, say. It gets a moment, then its connection goes.
            let timer: NodeJS.Timeout | undefined;
            await Promise.race([apiClosed, new Promise((r) => (timer = setTimeout(r, API_CLOSE_MS).unref()))]);
            clearTimeout(timer);
            server.server.closeAllConnections();
            await apiClosed;
            await closeSecurity.close();
          },
        });
      },
    };
  } catch (e) {
    await security?.close();
    await runtime.stop();
    throw e;
  }
}
