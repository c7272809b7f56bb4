/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4), as the Microsoft identity platform serves it: a form
 * POST of the client id, secret and scope to the token endpoint, answered with a bearer token and its
 * lifetime. Tokens are cached until shortly before they expire (`token-cache.ts`) and dropped when the
 * resource server refuses one, so the next request fetches a new one.
 */
import type { Clock } from '../clock.ts';
import type { HttpClient } from './types.ts';
import { cacheKey, TokenCache, type Expiring } from './token-cache.ts';

export interface ClientCredentials {
  /** The token endpoint (`https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token`). */
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** `https://graph.microsoft.com/.default` */
  readonly scope: string;
}

export interface AccessToken extends Expiring {
  readonly token: string;
}

/** The token endpoint refused the request, or answered something that is not a token. */
export class OAuthError extends Error {
  readonly status: number;
  /** The RFC 6749 error code (`invalid_client`, `invalid_scope`…), or `''`. */
  readonly error: string;
  constructor(status: number, error: string, description: string) {
    super(`token request: HTTP ${status}${error ? ` ${error}` : ''}${description ? `: ${description}` : ''}`);
    this.name = 'OAuthError';
    this.status = status;
    this.error = error;
  }
}

/** Requests a token. Throws OAuthError for a refusal, and the HTTP client's HttpError for network failures. */
export async function requestToken(http: HttpClient, cc: ClientCredentials, now: number, signal?: AbortSignal): Promise<AccessToken> {
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: cc.clientId, client_secret: cc.clientSecret, scope: cc.scope }).toString();
  const res = await http.request({
    method: 'POST',
    url: cc.tokenUrl,
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body,
    ...(signal ? { signal } : {}),
  });
  let json: Record<string, unknown> = {};
  try {
    const v = JSON.parse(res.body) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) json = v as Record<string, unknown>;
  } catch {
    // Not JSON: a proxy's page, or an empty body.
  }
  if (res.status < 200 || res.status >= 300) {
    // The identity platform's description runs over several lines (trace and correlation ids): the first says why.
    const description = typeof json.error_description === 'string' ? json.error_description.split(/\r?\n/)[0]!.trim() : '';
    throw new OAuthError(res.status, typeof json.error === 'string' ? json.error : '', description);
  }
  const token = json.access_token;
  const expiresIn = Number(json.expires_in);
  if (typeof token !== 'string' || token === '' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
    throw new OAuthError(res.status, '', 'the answer holds no access token and lifetime');
  }
  return { token, expiresAt: now + expiresIn * 1000 };
}

/** Cached tokens per (endpoint, client, secret, scope). */
export class ClientCredentialsTokens {
  readonly #cache: TokenCache<AccessToken>;

  constructor(maxEntries?: number) {
    this.#cache = new TokenCache(maxEntries);
  }

  get(cc: ClientCredentials, deps: { http: HttpClient; clock: Clock; signal?: AbortSignal | undefined }): Promise<AccessToken> {
    return this.#cache.get(keyOf(cc), () => deps.clock.now(), (shared) => requestToken(deps.http, cc, deps.clock.now(), shared), deps.signal);
  }

  /** Forgets `stale` (the resource server refused it), so the next `get` fetches a new token. */
  invalidate(cc: ClientCredentials, stale: AccessToken): void {
    this.#cache.invalidate(keyOf(cc), stale);
  }

  clear(): void {
    this.#cache.clear();
  }
}

function keyOf(cc: ClientCredentials): string {
  return cacheKey(cc.tokenUrl, cc.clientId, cc.clientSecret, cc.scope);
}
