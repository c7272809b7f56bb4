/**
 * What a product-specific client implements; `index.ts` adds naming, lazy detection and caching on top.
 * Also the request shapes both products share, so `elasticsearch.ts` and `opensearch.ts` send the same
 * paths and query parameters.
 */
import type { SearchClient, SearchRequest } from './types.ts';
import { readBody, type BodyStream } from '../net/read-body.ts';

export type Backend = Omit<SearchClient, 'name' | 'info'>;

export interface HttpShape {
  method: 'POST';
  path: string;
  querystring: Record<string, string>;
  body: Record<string, unknown>;
}

function indexPath(indices: string[]): string {
  return indices.length === 0 ? '' : '/' + indices.map(encodeURIComponent).join(',');
}

/** `POST /{indices}/_search` or, with a template, `POST /{indices}/_search/template`. */
export function searchShape(req: SearchRequest): HttpShape {
  const querystring: Record<string, string> = {};
  const o = req.indices_options;
  if (o?.allow_no_indices !== undefined) querystring.allow_no_indices = String(o.allow_no_indices);
  if (o?.ignore_unavailable !== undefined) querystring.ignore_unavailable = String(o.ignore_unavailable);
  if (o?.expand_wildcards !== undefined) querystring.expand_wildcards = ([] as string[]).concat(o.expand_wildcards).join(',');
  if (req.template) {
    const { id, source, params } = req.template;
    const body: Record<string, unknown> = { params: params ?? {} };
    if (id !== undefined) body.id = id;
    if (source !== undefined) body.source = source;
    // Templates carry no timeout key of their own; the query parameter applies to the rendered search.
    if (req.timeout) querystring.timeout = req.timeout;
    return { method: 'POST', path: `${indexPath(req.indices)}/_search/template`, querystring, body };
  }
  if (req.timeout) querystring.timeout = req.timeout;
  return { method: 'POST', path: `${indexPath(req.indices)}/_search`, querystring, body: req.body ?? {} };
}

/** Per-item bulk failures as `{position, error}`, position being the document's index in the input. */
export function bulkErrors(items: Array<Record<string, { status?: number; error?: { type?: string; reason?: string | null } | unknown }>>): Array<{ position: number; error: string }> {
  const out: Array<{ position: number; error: string }> = [];
  items.forEach((item, position) => {
    const result = Object.values(item)[0];
    if (result?.error) {
      const e = result.error as { type?: string; reason?: string | null };
      out.push({ position, error: `${e.type ?? 'error'}: ${e.reason ?? ''} (status ${result.status ?? '?'})` });
    }
  });
  return out;
}

/**
 * Reads a response body up to `limit` bytes, checking `content-length` first, so an oversized search
 * answer is never buffered whole. Used instead of the Elasticsearch client's `maxResponseSize`, whose
 * transport destroys the undici body without an error listener and so raises an uncaught AbortError
 * (seen with @elastic/transport 8.11 and 9.4).
 */
export async function readCappedBody(
  stream: BodyStream,
  contentLength: string | string[] | undefined,
  limit: number,
  tooLarge: () => Error,
): Promise<string> {
  if (Number(contentLength) > limit) {
    // Destroying the body makes it emit 'error'; nobody else listens.
    stream.on('error', () => {});
    stream.destroy();
    throw tooLarge();
  }
  const { text, truncated } = await readBody(stream, limit);
  if (truncated) throw tooLarge();
  return text;
}

/** Parses a search response read as text; non-2xx answers become the thrown error. */
export function parseSearchBody(text: string, status: number, onError: (status: number, body: unknown) => Error): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  if (status < 200 || status >= 300 || typeof body !== 'object' || body === null) throw onError(status, body);
  return body as Record<string, unknown>;
}
