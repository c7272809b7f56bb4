import type { z } from 'zod';
import { VigilError } from '../errors.ts';
import { addDetail, zodDetail } from '../error-detail.ts';
import type { ErrorDetail } from '../errors.ts';

/**
 * Parses a request's query string or body with a strict schema: INVALID_REQUEST naming each bad or
 * unknown field by its path otherwise.
 */
export function parseRequest<T>(schema: z.ZodType<T>, input: unknown, what: 'query string' | 'body'): T {
  const res = schema.safeParse(input ?? {});
  if (!res.success) throw new VigilError('INVALID_REQUEST', `invalid request ${what}`, zodDetail(res.error.issues, { input }));
  return res.data;
}

/**
 * Refuses any query parameter on a route whose options are body fields only: ignoring one would act
 * on a request the caller did not mean (`_execute?simulate=true` would send the notifications).
 * INVALID_REQUEST names each parameter (`?name`) and says where it belongs.
 */
export function refuseQuery(query: unknown, route: string): void {
  const names = Object.keys(query && typeof query === 'object' ? query : {});
  if (names.length === 0) return;
  const shown = names.slice(0, 10).map((n) => (n.length > 64 ? `${n.slice(0, 64)}…` : n));
  const detail: ErrorDetail = {};
  for (const n of shown) addDetail(detail, `?${n}`, `${route} takes no query parameters: give "${n}" as a field of the JSON body`);
  throw new VigilError('INVALID_REQUEST', `${route} takes its options in the JSON body, not the query string (e.g. {"simulate": true})`, detail);
}

/** A time parameter: any date `Date.parse` reads, as the store compares it (`toISOString`). */
export function isoParam(v: string): string | undefined {
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
