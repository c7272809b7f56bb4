import type { z } from 'zod';
import type { ErrorDetail } from '../errors.ts';

/** `['checks', 1, 'source']` → `checks[1].source` (the Signals error path form). */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '_';
}

export function addDetail(detail: ErrorDetail, path: string, error: string, value?: unknown): void {
  (detail[path] ??= []).push(value === undefined ? { error } : { error, value });
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur = root;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
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

/** Turns zod issues into the SPEC's `detail` map; unknown keys get one entry per key, at the key's own path. */
export function zodDetail(error: z.ZodError, input: unknown, prefix: ReadonlyArray<PropertyKey> = []): ErrorDetail {
  const detail: ErrorDetail = {};
  for (const issue of error.issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) addDetail(detail, formatPath([...path, key]), 'unknown field');
      continue;
    }
    addDetail(detail, formatPath(path), issue.message, preview(valueAt(input, issue.path)));
  }
  return detail;
}

export function countErrors(detail: ErrorDetail): number {
  return Object.values(detail).reduce((n, list) => n + list.length, 0);
}
