/**
 * Secret scrubbing for everything the email action says about itself: error messages, results and the
 * `debug` protocol log. Secrets should never get that far; this is the net under the rope.
 */
import { format } from 'node:util';
import type { Logger } from 'pino';
import { secretForms } from '../../secrets.ts';

/**
 * Replaces each secret in its travelling forms (src/secrets.ts), plus the base64 blobs SMTP AUTH PLAIN
 * builds around it, with `[redacted]`.
 */
export function secretScrubber(secrets: ReadonlyArray<string | undefined>, user?: string): (text: string) => string {
  const needles = new Set<string>();
  for (const s of secrets) {
    if (!s || s.length < 3) continue;
    for (const f of secretForms(s)) needles.add(f);
    // AUTH PLAIN sends base64("\0user\0password"); AUTH LOGIN sends user and password one by one.
    if (user !== undefined) {
      needles.add(Buffer.from(`\u0000${user}\u0000${s}`).toString('base64'));
      needles.add(Buffer.from(`${user}\u0000${user}\u0000${s}`).toString('base64'));
    }
  }
  const list = [...needles].sort((a, b) => b.length - a.length);
  return (text: string) => {
    let out = text;
    for (const n of list) if (out.includes(n)) out = out.split(n).join('[redacted]');
    return out;
  };
}

/** The client side of an AUTH exchange, reduced to the mechanism name. */
function redactAuthLine(line: string): string {
  return line.replace(/^((?:C:\s*)?AUTH\s+[A-Za-z0-9_-]+)\b.*$/gim, '$1 [redacted]');
}

/**
 * A bunyan-style logger for nodemailer's `logger` option that forwards the protocol log to pino at
 * debug level. Lines are formatted here (nodemailer passes printf-style arguments) so that every line
 * can be scrubbed as one string; the structured data nodemailer attaches is reduced to a few safe keys.
 */
export function protocolLogger(logger: Logger, scrub: (text: string) => string): Record<string, (...args: unknown[]) => void> {
  let inAuth = false;
  const emit = (level: 'debug' | 'warn') => (entry: unknown, message?: unknown, ...args: unknown[]) => {
    const data = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    let line = format(typeof message === 'string' ? message : '', ...args);
    // While AUTH is in progress, client lines are credentials (AUTH LOGIN sends user and password alone).
    if (/^\s*(C:\s*)?AUTH\b/i.test(line)) inAuth = true;
    else if (inAuth && /^\s*S:\s*(235|5\d\d)/.test(line)) inAuth = false;
    else if (inAuth && /^\s*C:/.test(line)) line = 'C: [redacted]';
    line = scrub(redactAuthLine(line));
    const safe: Record<string, unknown> = { smtp: true };
    for (const k of ['tnx', 'cid', 'action', 'component']) {
      if (typeof data[k] === 'string' || typeof data[k] === 'number') safe[k] = data[k];
    }
    logger[level](safe, line);
  };
  const debug = emit('debug');
  return { trace: debug, debug, info: debug, warn: emit('warn'), error: emit('warn'), fatal: emit('warn') };
}
