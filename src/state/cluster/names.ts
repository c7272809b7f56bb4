/**
 * The names of the indices the cluster backend owns, all derived from one prefix (default `vigil`).
 * No dot prefix: Elasticsearch reserves dot-prefixed names for system indices. The execution log is
 * one index per UTC day and the audit log one per UTC month, so retention deletes whole indices.
 */
import { VigilError } from '../../errors.ts';

export const DEFAULT_PREFIX = 'vigil';

export interface IndexNames {
  prefix: string;
  /** One document per watch: its state and the deliveries it decided (see commit.ts). */
  state: string;
  /** One document per notification, id = its idempotency key. */
  outbox: string;
  kv: string;
  security: string;
  /** Watch definitions, one document per watch (`<tenant>:<id>`). */
  watches: string;
  /** Sealed accounts, one document per (type, id), and the key-check record. */
  accounts: string;
  /** One heartbeat document per running daemon (several daemons sharing the watches). */
  nodes: string;
  /** `<prefix>-log-*`: the pattern of the daily execution-log indices (and of their template). */
  logPattern: string;
  auditPattern: string;
  /** The execution-log index of the UTC day of `epochMs`. */
  log(epochMs: number): string;
  /** The audit index of the UTC month of `epochMs`. */
  audit(epochMs: number): string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Validates the prefix as an index-name part (lower case, no leading `-`, `_`, `+` or `.`, no
 * characters Elasticsearch refuses) and derives every name. `path` names the setting in errors.
 */
export function indexNames(prefix: string = DEFAULT_PREFIX, path = 'state.index_prefix'): IndexNames {
  if (!/^[a-z0-9][a-z0-9_-]{0,99}$/.test(prefix)) {
    throw new VigilError('CONFIG_INVALID', `invalid index prefix [${prefix.slice(0, 120)}]: lower-case letters, digits, '-' and '_', starting with a letter or digit, at most 100 characters`, {
      [path]: [{ error: 'not a valid index name prefix (lower case, no leading dot, -, _ or +)', value: prefix.slice(0, 120) }],
    });
  }
  return {
    prefix,
    state: `${prefix}-state`,
    outbox: `${prefix}-outbox`,
    kv: `${prefix}-kv`,
    security: `${prefix}-security`,
    watches: `${prefix}-watches`,
    accounts: `${prefix}-accounts`,
    nodes: `${prefix}-nodes`,
    logPattern: `${prefix}-log-*`,
    auditPattern: `${prefix}-audit-*`,
    log: (ms) => {
      const d = new Date(ms);
      return `${prefix}-log-${d.getUTCFullYear()}.${pad(d.getUTCMonth() + 1)}.${pad(d.getUTCDate())}`;
    },
    audit: (ms) => {
      const d = new Date(ms);
      return `${prefix}-audit-${d.getUTCFullYear()}.${pad(d.getUTCMonth() + 1)}`;
    },
  };
}

/**
 * The start of the period a time-based index covers (UTC epoch ms), from its name; undefined for a
 * name of another shape (an index the user made under the pattern is never taken for one of ours).
 */
export function periodStart(name: string, pattern: string): number | undefined {
  const rest = name.slice(pattern.length - 1);
  if (!name.startsWith(pattern.slice(0, -1))) return undefined;
  const m = /^(\d{4})\.(\d{2})(?:\.(\d{2}))?$/.exec(rest);
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, m[3] === undefined ? 1 : Number(m[3]));
  return Number.isNaN(t) ? undefined : t;
}
