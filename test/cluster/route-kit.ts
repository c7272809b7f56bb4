/**
 * What every route handler shares: the request and result shapes, the context, and JSON body parsing.
 */
import type { Store } from './store.ts';
import type { FlavourInfo } from './flavours.ts';
import type { SearchContexts } from './contexts.ts';
import type { SearchEnv } from './search.ts';
import { httpError } from './errors.ts';

export interface RouteRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  rawBody: string;
}

export interface RouteResult {
  status: number;
  body: unknown;
  /** Settles when the answer may be sent (`refresh=wait_for`). */
  wait?: Promise<void>;
  /** The body is plain text (`_cat` without `format=json`). */
  text?: boolean;
  /** The request is still being applied (a long `_bulk`): the answer is this, and `status` and `body` are not. */
  later?: Promise<RouteResult>;
}

export interface RouteContext {
  store: Store;
  info: FlavourInfo;
  clusterName: string;
  /** Wall clock for date math. */
  now: () => number;
  contexts: SearchContexts;
}

/** Parses a JSON object body; an empty body is `{}`. */
export function json(raw: string): Record<string, unknown> {
  if (raw.trim() === '') return {};
  try {
    const v = JSON.parse(raw);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch {
    throw httpError(400, 'x_content_parse_exception', '[1:1] Unexpected character: request body is not a JSON object');
  }
}

export function searchEnv(ctx: RouteContext, started: number): SearchEnv {
  return { store: ctx.store, contexts: ctx.contexts, distribution: ctx.info.distribution, now: ctx.now(), started };
}
