import { loadConfig } from '../config/load.ts';
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
  const auth = await createAuthProvider(app);
  const api = await createApiServer(app, {
    auth,
    logger: app.logger,
    bodyLimit: config.api.body_limit,
    tls: config.api.tls,
    plugins: [securityRoutes(auth), accountRoutes(app)],
  });
  await app.start();
  const [host, port] = splitListen(config.listen);
  await api.listen({ host, port });
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

export function splitListen(listen: string): [string, number] {
  const i = listen.lastIndexOf(':');
  return [listen.slice(0, i).replace(/^\[|\]$/g, ''), Number(listen.slice(i + 1))];
}
