import { pino, type Logger, type LoggerOptions } from 'pino';

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

export function createLogger(opts: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? process.env.VIGIL_LOG_LEVEL ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { name: 'vigil' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

/** A logger that drops everything (tests, `vigil validate`). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

export type { Logger };
