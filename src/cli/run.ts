import { parseArgs } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../config/load.ts';
import { VigilError } from '../errors.ts';
import { buildApp } from '../app.ts';
import { createApiServer } from '../api/server.ts';
import { createAuthProvider } from '../security/provider.ts';
import { securityRoutes } from '../api/routes/security.ts';
import { accountRoutes } from '../api/routes/accounts.ts';

/** `vigil run`: the daemon. Flags override the config file; SIGTERM/SIGINT drain and exit 0; SIGHUP reloads. */
export async function runCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      data: { type: 'string' },
      watches: { type: 'string' },
      accounts: { type: 'string' },
      listen: { type: 'string' },
      'key-file': { type: 'string' },
    },
  });
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

  let stopping = false;
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      app.logger.info({ signal }, 'stopping: draining in-flight deliveries');
      void (async () => {
        await api.close();
        await auth.close();
        await app.stop();
        resolve();
      })();
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => void app.reload());
  });
  app.logger.info('stopped');
  return 0;
}

/** Listens on `HOST:PORT`; a failure is one line naming the address (EADDRINUSE and the like are common and not bugs). */
async function listen(api: FastifyInstance, address: string): Promise<void> {
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
