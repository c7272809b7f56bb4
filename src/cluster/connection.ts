/**
 * One cluster config resolved into what every client needs: node URLs without userinfo, the
 * credentials (from `auth`, else from the URL), TLS, limits with their defaults, and the list of secret
 * strings to scrub from error messages.
 */
import type { ClusterConfig } from './types.ts';
import { VigilError } from '../errors.ts';

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

export interface ResolvedConnection {
  name: string;
  /** Node URLs with any `user:password@` removed, so no SDK can echo them. */
  nodes: string[];
  auth: { username: string; password: string } | { apiKey: string } | undefined;
  tls: { ca?: string; rejectUnauthorized?: boolean } | undefined;
  requestTimeoutMs: number;
  maxResponseBytes: number;
  secrets: string[];
}

export function resolveConnection(config: ClusterConfig): ResolvedConnection {
  if (config.urls.length === 0) throw new VigilError('CONFIG_INVALID', `cluster [${config.name}] has no urls`);
  let auth = config.auth;
  const nodes = config.urls.map((raw) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      // The raw text may hold a password; say only which cluster is wrong.
      throw new VigilError('CONFIG_INVALID', `cluster [${config.name}] has an invalid url`);
    }
    if (url.username && !auth) auth = { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/$/, '');
  });
  const secrets: string[] = [];
  if (auth && 'apiKey' in auth) secrets.push(auth.apiKey);
  if (auth && 'password' in auth) {
    secrets.push(auth.password, encodeURIComponent(auth.password), Buffer.from(`${auth.username}:${auth.password}`).toString('base64'));
  }
  return {
    name: config.name,
    nodes,
    auth,
    tls: config.tls,
    requestTimeoutMs: config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    maxResponseBytes: config.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    secrets: secrets.filter((s) => s.length >= 3),
  };
}

/** The Authorization header value for plain HTTP requests (detection). */
export function authorizationHeader(auth: ResolvedConnection['auth']): string | undefined {
  if (!auth) return undefined;
  if ('apiKey' in auth) return `ApiKey ${auth.apiKey}`;
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
}
