import type { AddressInfo } from 'node:net';
import { loadConfig } from '../config/load.ts';
import { buildApp } from '../app.ts';
import { LOG_FORMATS } from '../log.ts';
import { parseCommand, usageError } from './args.ts';
import { RUN } from './specs.ts';

/** `vigil run`: the daemon. Flags override the config file; SIGTERM/SIGINT drain and exit 0; SIGHUP reloads. */
export async function runCommand(args: string[]): Promise<number> {
  const parsed = parseCommand(RUN, args);
  if (!parsed.ok) return parsed.code;
  const { values } = parsed;
  const format = values['log-format'];
  if (format !== undefined && !(LOG_FORMATS as readonly string[]).includes(format)) return usageError(RUN.name, `--log-format must be one of ${LOG_FORMATS.join(', ')} (got '${format}')`);
  const config = loadConfig({
    file: values.config,
    // The flag wins over the config file, as every flag does.
    env: format === undefined ? process.env : { ...process.env, VIGIL_LOG_FORMAT: format },
    overrides: {
      data_dir: values.data,
      watches_dir: values.watches,
      accounts_dir: values.accounts,
      listen: values.listen,
      key_file: values['key-file'],
    },
  });
  const app = await buildApp(config);
  try {
    // Bound before any watch is loaded: a daemon that cannot serve its API must not run headless,
    // firing watches and holding the data directory.
    await app.listen();
  } catch (e) {
    await app.stop();
    throw e;
  }
  await app.start();
  app.logger.info({ listen: boundAddress(app.server.addresses()) ?? config.listen, node: config.node_name }, 'vigil is running');

  let stopping = false;
  await new Promise<void>((resolve, reject) => {
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      // Before anything that waits: no watch fires after the signal.
      app.halt();
      const graceMs = config.delivery.shutdown_grace_ms;
      app.logger.info({ signal, graceMs }, 'stopping: no new runs; runs and deliveries in flight have the grace period to finish');
      const watchdog = setTimeout(() => {
        app.logger.error({ graceMs }, 'shutdown did not finish in time; exiting');
        process.stderr.write(`vigil: shutdown did not finish within ${Math.ceil((graceMs + STOP_MARGIN_MS) / 1000)} s; exiting\n`);
        process.exit(1);
      }, graceMs + STOP_MARGIN_MS);
      watchdog.unref();
      app.stop().then(() => (clearTimeout(watchdog), resolve()), reject);
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

/** Where the API really listens: with port 0 (the OS picks one) the configured address does not say. */
function boundAddress(addresses: ReadonlyArray<string | AddressInfo>): string | undefined {
  const a = addresses[0];
  if (a === undefined || typeof a === 'string') return a;
  return a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}
