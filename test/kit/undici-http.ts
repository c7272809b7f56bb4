/**
 * A tiny test-only HttpClient over undici.request, used until (or beside) the real
 * `createHttpClient` of src/net/http.ts. It maps undici failures onto HttpError kinds the way the
 * real client does, so action code sees the same seam.
 */
import { Agent, request, errors } from 'undici';
import type { HttpClient, HttpRequest, HttpResponse } from '../../src/net/types.ts';
import { HttpError } from '../../src/net/types.ts';

export function createTestHttpClient(defaults: { readTimeoutMs?: number; connectTimeoutMs?: number } = {}): HttpClient {
  const agent = new Agent({ connect: { timeout: defaults.connectTimeoutMs ?? 2000 } });
  return {
    async request(req: HttpRequest): Promise<HttpResponse> {
      const readTimeout = req.readTimeoutMs ?? defaults.readTimeoutMs ?? 2000;
      try {
        const res = await request(req.url, {
          method: req.method as 'POST',
          headers: req.headers ?? {},
          body: req.body,
          dispatcher: agent,
          headersTimeout: readTimeout,
          bodyTimeout: readTimeout,
          signal: req.signal,
        });
        const body = await res.body.text();
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) {
          if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
        }
        return { status: res.statusCode, headers, body, truncated: false };
      } catch (e) {
        if (e instanceof errors.HeadersTimeoutError || e instanceof errors.BodyTimeoutError || e instanceof errors.ConnectTimeoutError) {
          throw new HttpError('timeout', `request to ${new URL(req.url).host} timed out`, { cause: e });
        }
        const code = (e as { code?: string }).code;
        if (code === 'ECONNREFUSED') throw new HttpError('connect', `connection refused: ${req.url}`, { cause: e });
        if ((e as Error).name === 'AbortError') throw new HttpError('aborted', 'request aborted', { cause: e });
        // Deliberately includes the URL: the actions must scrub it, and the secret tests check they do.
        throw new HttpError('network', `network error for ${req.url}: ${(e as Error).message}`, { cause: e });
      }
    },
    async close() {
      await agent.close();
    },
  };
}
