/**
 * The one log capture for tests: a pino logger whose every line is kept, as text and parsed, so tests
 * can assert on events and grep for secrets.
 */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { createLogger } from '../../src/log.ts';

export interface CapturedLog {
  logger: Logger;
  /** Every line written so far, parsed. */
  lines: Array<Record<string, unknown>>;
  /** Every line written so far, as written (JSON text with its newline). */
  raw: string[];
  /** Everything written so far. */
  text(): string;
  /** Resolves with the first line (written so far or later) matching `pred`. */
  until(pred: (line: Record<string, any>) => boolean): Promise<Record<string, unknown>>;
}

/**
 * `redact: false` gives a plain pino logger: a test that a component never hands a secret to its logger
 * must not pass thanks to the daemon logger's redaction of known field names (the default keeps it, as
 * the daemon logs).
 */
export function captureLogger(level = 'debug', o: { redact?: boolean } = {}): CapturedLog {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const waiters: Array<{ pred: (l: Record<string, any>) => boolean; resolve: (l: Record<string, unknown>) => void }> = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) {
        if (!line.trim()) continue;
        raw.push(`${line}\n`);
        const parsed = JSON.parse(line) as Record<string, unknown>;
        lines.push(parsed);
        for (const w of waiters.splice(0)) if (w.pred(parsed)) w.resolve(parsed);
        else waiters.push(w);
      }
      cb();
    },
  });
  const logger = o.redact === false ? pino({ level }, destination) : createLogger({ level, destination });
  const until = (pred: (l: Record<string, any>) => boolean) => {
    const found = lines.find(pred);
    return found ? Promise.resolve(found) : new Promise<Record<string, unknown>>((resolve) => waiters.push({ pred, resolve }));
  };
  return { logger, lines, raw, text: () => raw.join(''), until };
}
