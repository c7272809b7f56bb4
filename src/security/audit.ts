/**
 * The audit trail: decides what to record under the audit configuration, redacts bodies, sums floods of
 * refused requests (audit-folder.ts) and appends to the SecurityStore. Only who, from where, what and
 * how it ended are kept (and, when configured, the redacted body), never a header or a credential.
 */
import type { Logger } from 'pino';
import type { AuditEvent } from './types.ts';
import type { Clock } from '../clock.ts';
import type { AuditRecord, SecurityStore } from '../state/security-types.ts';
import { AuditFolder } from './audit-folder.ts';
import { DEFAULT_AUDIT_CONFIG, type AuditCategory, type AuditConfig } from './audit-config.ts';
import { redactBody } from './audit-redact.ts';
import { anyMatch, wildcardMatch } from './patterns.ts';

/** Security and account routes: reads of these are auditable (category AUTHENTICATED). */
const AUDITED_READS = ['/_plugins/_security', '/_vigil/security', '/_signals/account'];

export function categoryOf(e: AuditEvent): AuditCategory | null {
  if (e.outcome === 'FAILED_LOGIN') return 'FAILED_LOGIN';
  if (e.outcome === 'MISSING_PRIVILEGES') return 'MISSING_PRIVILEGES';
  if (e.method !== 'GET' && e.method !== 'HEAD') return 'GRANTED_PRIVILEGES';
  return AUDITED_READS.some((p) => e.path === p || e.path.startsWith(`${p}/`)) ? 'AUTHENTICATED' : null;
}

export interface AuditTrailOptions {
  store: SecurityStore;
  clock: Clock;
  logger: Logger;
  /** Whether a failed login from this address is to be summed (its address is over the failed-request limit). */
  fold: (e: AuditEvent) => boolean;
  flushMs?: number;
  onFold?: () => void;
}

export class AuditTrail {
  config: AuditConfig = DEFAULT_AUDIT_CONFIG;
  readonly #o: AuditTrailOptions;
  readonly #folder: AuditFolder;

  constructor(o: AuditTrailOptions) {
    this.#o = o;
    this.#folder = new AuditFolder({
      clock: o.clock,
      write: (e, count, time) => this.#append(e, 'FAILED_LOGIN', count, time),
      ...(o.flushMs ? { flushMs: o.flushMs } : {}),
      ...(o.onFold ? { onFold: o.onFold } : {}),
    });
  }

  /** Records an event if the configuration says so. */
  record(e: AuditEvent): void {
    const c = this.config;
    if (!c.enabled || !c.audit.enable_rest) return;
    const category = categoryOf(e);
    if (!category || c.audit.disabled_rest_categories.includes(category)) return;
    if (e.user !== null && anyMatch(c.audit.ignore_users, e.user)) return;
    if (c.audit.ignore_requests.some((p) => wildcardMatch(p, `${e.method} ${e.path}`) || wildcardMatch(p, e.path))) return;
    // The refusals of an address over its failed-request limit are summed, so a flood of refused
    // requests is not a flood of writes. (The failure that reached the limit got a row of its own.)
    if (category === 'FAILED_LOGIN' && e.status === 429 && this.#o.fold(e)) this.#folder.fold(e);
    else this.#append(e, category, 1, this.#o.clock.now());
  }

  query(...args: Parameters<SecurityStore['audit']['query']>): ReturnType<SecurityStore['audit']['query']> {
    return this.#o.store.audit.query(...args);
  }

  close(): void {
    this.#folder.close();
  }

  #append(e: AuditEvent, category: AuditCategory, count: number, time: number): void {
    const body = this.config.audit.log_request_body ? redactBody(e.route ?? e.path, e.body) : undefined;
    const rec: AuditRecord = { time, user: e.user, address: e.address, method: e.method, path: e.path, outcome: e.outcome, status: e.status, count, category, ...(body !== undefined ? { body } : {}) };
    this.#o.store.audit.append([rec]).catch((err: unknown) => this.#o.logger.error({ err: (err as Error).message }, 'audit write failed'));
  }
}
