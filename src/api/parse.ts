import type { z } from 'zod';
import { VigilError } from '../errors.ts';
import { zodDetail } from '../error-detail.ts';

/**
 * Parses a request's query string or body with a strict schema: INVALID_REQUEST naming each bad or
 * unknown field by its path otherwise.
 */
export function parseRequest<T>(schema: z.ZodType<T>, input: unknown, what: 'query string' | 'body'): T {
  const res = schema.safeParse(input ?? {});
  if (!res.success) throw new VigilError('INVALID_REQUEST', `invalid request ${what}`, zodDetail(res.error.issues, { input }));
  return res.data;
}

/** A time parameter: any date `Date.parse` reads, as the store compares it (`toISOString`). */
export function isoParam(v: string): string | undefined {
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
