import { createRequire } from 'node:module';
import { pino, type Logger, type LoggerOptions } from 'pino';
import { ecsFormat } from '@elastic/ecs-pino-format';

/**
 * Field names whose values are never written, wherever they appear in a log object. Secrets should not
 * reach a logger at all; this is the second line of defence.
 */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'proxy_password',
  '*.proxy_password',
  'auth_token',
  '*.auth_token',
  'integration_key',
  '*.integration_key',
  'routing_key',
  '*.routing_key',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'secret',
  '*.secret',
  'token',
  '*.token',
];

/** How log lines are written: `json` (pino's own lines), `pretty` (for a terminal), `ecs` (Elastic Common Schema). */
export type LogFormat = 'json' | 'pretty' | 'ecs';

export const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty', 'ecs'];

/**
 * The daemon's logger. `json` is the default and the fastest. `ecs` writes Elastic Common Schema
 * documents (`@timestamp`, `log.level`, `message`, `service.name`) with Elastic's own formatter, ready to
 * ship into Elasticsearch. `pretty` writes one readable line per event with level names, through
 * pino-pretty, loaded only when asked for. Redaction applies in every format.
 */
export function createLogger(opts: { level?: string; format?: LogFormat; destination?: pino.DestinationStream } = {}): Logger {
  const format = opts.format ?? 'json';
  const common: LoggerOptions = {
    level: opts.level ?? process.env.VIGIL_LOG_LEVEL ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { name: 'vigil' },
  };
  const options: LoggerOptions =
    format === 'ecs'
      ? { ...ecsFormat({ apmIntegration: false, serviceName: 'vigil', convertErr: true, convertReqRes: false }), ...common }
      : { ...common, timestamp: pino.stdTimeFunctions.isoTime };
  if (format === 'pretty') {
    const pretty = loadPretty()({
      destination: opts.destination ?? 1,
      sync: true,
      colorize: opts.destination ? false : Boolean(process.stdout.isTTY),
      ignore: 'pid,hostname,name',
      translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
    });
    return pino(options, pretty);
  }
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

type PrettyFactory = (o: { destination: number | pino.DestinationStream; sync: boolean; colorize: boolean; ignore: string; translateTime: string }) => pino.DestinationStream;

/** pino-pretty and its dependencies cost start-up time: loaded by the one format that uses them. */
function loadPretty(): PrettyFactory {
  const mod = createRequire(import.meta.url)('pino-pretty') as PrettyFactory | { default: PrettyFactory };
  return typeof mod === 'function' ? mod : mod.default;
}

/** A logger that drops everything (tests, `vigil validate`). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

export type { Logger };
