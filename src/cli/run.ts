import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../config/load.ts';
import { VigilError } from '../errors.ts';
import { buildApp } from '../app.ts';
import { createApiServer } from '../api/server.ts';
import { createAuthProvider } from '../security/provider.ts';
import { securityRoutes } from '../api/routes/security.ts';
import { accountRoutes } from '../api/routes/accounts.ts';
import { parseCommand } from './args.ts';
import { RUN } from './specs.ts';

/** `vigil run`: the daemon. Flags override the config file; SIGTERM/SIGINT drain and exit 0; SIGHUP reloads. */
export async function runCommand(args: string[]): Promise<number> {
  const parsed = parseCommand(RUN, args);
  if (!parsed.ok) return parsed.code;
  const { values } = parsed;
  const config = loadConfig({
    file: values.config,
    overrides: {
      data_dir: values.data,
      watches_dir: values.watches,
      accounts_dir: values.accounts,
      listen: values.listen,
      key_file: values['key-file'],
    },
  });
  const app = await buildApp(config);
  let auth: Awaited<ReturnType<typeof createAuthProvider>> | undefined;
  let api: FastifyInstance | undefined;
  try {
    auth = await createAuthProvider(app);
    api = await createApiServer(app, {
      auth,
      logger: app.logger,
      bodyLimit: config.api.body_limit,
      tls: config.api.tls,
      plugins: [securityRoutes(auth), accountRoutes(app)],
    });
    // Bound before any watch is loaded: a daemon that cannot serve its API must not run headless,
    // firing watches and holding the data directory.
    await listen(api, config.listen);
  } catch (e) {
    await api?.close().catch(() => undefined);
    await auth?.close();
    await app.stop();
    throw e;
  }
  await app.start();
  app.logger.info({ listen: config.listen, node: config.node_name }, 'vigil is running');

  const server = api;
  const security = auth;
  let stopping = false;
  await new Promise<void>((resolve, reject) => {
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      // Before anything that waits: no watch fires after the signal.
      app.halt();
      const graceMs = config.delivery.shutdown_grace_ms;
      app.logger.info({ signal, graceMs }, 'stopping: no new runs; runs and deliveries in flight have the grace period to finish');
      // No new connections from now on; requests in flight are answered (an execution ends with the grace period).
      const apiClosed = server.close();
      const watchdog = setTimeout(() => {
        app.logger.error({ graceMs }, 'shutdown did not finish in time; exiting');
        process.stderr.write(`vigil: shutdown did not finish within ${Math.ceil((graceMs + STOP_MARGIN_MS) / 1000)} s; exiting\n`);
        process.exit(1);
      }, graceMs + STOP_MARGIN_MS);
      watchdog.unref();
      app
        .stop({
          beforeClose: async () => {
            // What is still open now is not waiting for a run (those ended with the grace period): a
            // client that never finishes its request, say. It gets a moment, then its connection goes.
            await Promise.race([apiClosed, new Promise((r) => setTimeout(r, API_CLOSE_MS).unref())]);
            server.server.closeAllConnections();
            await apiClosed;
            await security.close();
          },
        })
        .then(() => (clearTimeout(watchdog), resolve()), reject);
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => void app.reload());
  });
  app.logger.info('stopped');
  return 0;
}

/** After the grace period: closing the API, the store and the pools. Past it the process exits anyway. */
const STOP_MARGIN_MS = 5_000;
/** Requests still open once runs and deliveries are done get this long before their connections are closed. */
const API_CLOSE_MS = 500;

/** Listens on `HOST:PORT`; a failure is one line naming the address (EADDRINUSE and the like are common and not bugs). */
export async function listen(api: FastifyInstance, address: string): Promise<void> {
  const [host, port] = splitListen(address);
  try {
    await api.listen({ host, port });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = (code && LISTEN_ERRORS[code]) ?? (e as Error).message;
    throw new VigilError('LISTEN_FAILED', `cannot listen on ${address}: ${why}`, undefined, { cause: e });
  }
}

const LISTEN_ERRORS: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this host',
  EACCES: 'permission denied',
  ENOTFOUND: 'host name not found',
};

export function splitListen(listen: string): [string, number] {
  const i = listen.lastIndexOf(':');
  return [listen.slice(0, i).replace(/^\[|\]$/g, ''), Number(listen.slice(i + 1))];
}
