/**
 * Field-path keyed problems (`ErrorDetail`): the one place that turns schema issues into them, and the
 * helpers that build them by hand. Watches, the configuration, accounts, users and every REST body
 * report bad input this way, each problem at the JSON path of its field.
 */
import type { ErrorDetail } from './errors.ts';

/**
 * How a path is written: `signals` as Search Guard Signals does (`checks[1].source`), `dotted` as the
 * OpenSearch Security REST API does (`tenant_permissions.0.allowed_actions`).
 */
export type PathStyle = 'signals' | 'dotted';

/** `['checks', 1, 'source']` → `checks[1].source` (or `checks.1.source` dotted); the root is `_`. */
export function formatPath(path: ReadonlyArray<PropertyKey>, style: PathStyle = 'signals'): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number' && style === 'signals') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '_';
}

/**
 * Adds one problem at `path`. The path may be any name a user chose (`__proto__` included), so it is
 * always made an own key of the map, never looked up through its prototype.
 */
export function addDetail(detail: ErrorDetail, path: string, error: string, value?: unknown): void {
  const entry = value === undefined ? { error } : { error, value };
  if (Object.hasOwn(detail, path)) detail[path]!.push(entry);
  else Object.defineProperty(detail, path, { value: [entry], enumerable: true, writable: true, configurable: true });
}

export function countErrors(detail: ErrorDetail): number {
  return Object.values(detail).reduce((n, list) => n + list.length, 0);
}

/** What the converter reads of a zod issue (`keys`: the names of an `unrecognized_keys` issue). */
export interface SchemaIssue {
  readonly code?: string;
  readonly path: ReadonlyArray<PropertyKey>;
  readonly message: string;
  readonly keys?: readonly string[];
}

export interface DetailOptions {
  /**
   * The document that was parsed: a short preview of each offending value joins its problem. Left out
   * where a value may be a secret (accounts, users, security documents).
   */
  input?: unknown;
  /** Path segments in front of every issue's own path (where the parsed document sits in a larger one). */
  prefix?: ReadonlyArray<PropertyKey>;
  style?: PathStyle;
  /** Applied to every message, in case a validator quotes its input (an account's secrets in play). */
  scrub?: (message: string) => string;
}

/**
 * Turns zod issues into the `detail` map. An unknown field gets one entry per key, at the key's own path,
 * so every one of them is named.
 */
export function zodDetail(issues: ReadonlyArray<SchemaIssue>, o: DetailOptions = {}): ErrorDetail {
  const detail: ErrorDetail = {};
  const prefix = o.prefix ?? [];
  const message = o.scrub ?? ((m: string) => m);
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys' && issue.keys) {
      for (const key of issue.keys) addDetail(detail, formatPath([...path, key], o.style), 'unknown field');
      continue;
    }
    const value = 'input' in o ? preview(valueAt(o.input, issue.path)) : undefined;
    addDetail(detail, formatPath(path, o.style), message(issue.message), value);
  }
  return detail;
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur = root;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, p)) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

/** Short, loggable rendition of an offending value (never a whole sub-document). */
function preview(v: unknown): unknown {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v.length > 200 ? `${v.slice(0, 200)}…` : v;
  if (typeof v === 'object' && v !== null) return undefined;
  return v;
}
