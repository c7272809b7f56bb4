/**
 * Signals' stored proxies (`/_signals/proxies`): named HTTP proxies that a watch's `proxy: "<id>"`
 * sends through. A document is `{name, uri}`. A password in the URI (`http://user:pass@host:3128`) is a
 * credential: it is taken out of the URI and sealed on its own as `password`, shown by GET only as its
 * status, and kept by a later PUT that omits it only while the URI (without it) stays the same, so it
 * never follows the proxy to another host or user.
 */
import { z } from 'zod';
import { VigilError } from '../errors.ts';
import { zodDetail } from '../error-detail.ts';
import { STORED_ID } from '../request/schema.ts';
import { publicView, type SecretStatus } from './account-doc.ts';
import type { DocSpec, KindDocs } from './sealed-docs.ts';
import { StoredKindRegistry } from './stored-kind.ts';
import type { Doc } from './store.ts';

/** The directory of stored proxies in the accounts store (no account type can start with `_`). */
export const PROXIES_KIND = '_proxies';

/** What PUT takes: Signals' `{name, uri}`, and `password` apart (`null` clears a stored one). */
export const proxyBody = z.strictObject({
  name: z.string().max(256).optional(),
  uri: z.string().min(1),
  password: z.string().min(1).nullable().optional(),
});

/** A proxy URI's problem, if any: an http(s) URL of a host (and port), nothing after it. */
function uriProblem(uri: string): string | undefined {
  let u: URL;
  try {
    if (!/^https?:\/\//i.test(uri)) return 'must be an http:// or https:// URL';
    u = new URL(uri);
  } catch {
    return 'not a valid URL';
  }
  if (!u.hostname) return 'has no host';
  if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) return 'must name the proxy only (scheme, host, port and credentials), no path or query';
  if (u.password && !u.username) return 'a proxy password needs a user name';
  return undefined;
}

/** The stored form of a proxy: `uri` without its password, `password` (secret) apart. */
const storedProxy = z
  .strictObject({ name: z.string().max(256).optional(), uri: z.string(), password: z.string().optional() })
  .superRefine((p, ctx) => {
    const problem = uriProblem(p.uri);
    if (problem) ctx.addIssue({ code: 'custom', path: ['uri'], message: problem });
    else if (new URL(p.uri).password) ctx.addIssue({ code: 'custom', path: ['uri'], message: 'the stored URI must not hold the password' });
    else if (p.password !== undefined && !new URL(p.uri).username) ctx.addIssue({ code: 'custom', path: ['password'], message: 'a proxy password needs a user name in the uri' });
  });

export type StoredProxyDoc = z.output<typeof storedProxy>;

export const proxySpec: DocSpec = {
  label: 'Proxy',
  schema: storedProxy,
  patterns: [['password']],
  // The same proxy and user: the password may stay; anything else, and it is not carried over.
  keepsSecrets: (stored: Doc, candidate: Doc) => typeof stored.uri === 'string' && stored.uri === candidate.uri,
  notFound: (_type, id) => new VigilError('NOT_FOUND', `proxy ${id} not found`),
};

/**
 * A PUT body as the document to store: the URI's password moved to `password`. Errors are by field,
 * and never quote the URI (it may hold the password).
 */
export function toStoredProxy(body: unknown): Doc | VigilError {
  const parsed = proxyBody.safeParse(body);
  if (!parsed.success) {
    const detail = zodDetail(parsed.error.issues);
    return new VigilError('INVALID_REQUEST', `Proxy is invalid: ${Object.keys(detail).length} errors; see detail.`, detail);
  }
  const { name, uri, password } = parsed.data;
  const problem = uriProblem(uri);
  if (problem) return new VigilError('INVALID_REQUEST', 'Proxy is invalid: 1 errors; see detail.', { uri: [{ error: problem }] });
  const u = new URL(uri);
  const inline = u.password ? decodeURIComponent(u.password) : undefined;
  if (inline !== undefined && password !== undefined) {
    return new VigilError('INVALID_REQUEST', 'Proxy is invalid: 1 errors; see detail.', { password: [{ error: 'give the password in the uri or in password, not both' }] });
  }
  u.password = '';
  const doc: Doc = Object.create(null) as Doc;
  if (name !== undefined) doc.name = name;
  doc.uri = proxyOrigin(u);
  if (inline !== undefined) doc.password = inline;
  else if (password !== undefined) doc.password = password;
  return doc;
}

/** `scheme://[user@]host[:port]`, without a trailing slash. */
function proxyOrigin(u: URL): string {
  return `${u.protocol}//${u.username ? `${u.username}@` : ''}${u.host}`;
}

/** The URL to connect through: the stored URI with its password put back. */
export function proxyUrl(p: StoredProxyDoc): string {
  const u = new URL(p.uri);
  if (p.password !== undefined) u.password = p.password;
  return u.href;
}

/** A proxy's id: a stored-reference id that a watch's `proxy` does not read as something else. */
export function proxyIdProblem(id: string): string | undefined {
  if (/^(default|none)$/i.test(id) || /^https?:/i.test(id)) return `a proxy id cannot be 'default', 'none' or start with http: or https: (a watch's proxy would read it as such)`;
  return STORED_ID.test(id) ? undefined : 'a proxy id has letters, digits, _ - . : (not first), at most 128 characters';
}

/** A proxy as the REST API shows it: Signals' `{id, name, uri}`, the password only as its status. */
export interface PublicProxy {
  id: string;
  name?: string;
  uri: string;
  password?: SecretStatus;
  updated_at: string | null;
}

function toPublic(id: string, stored: Doc): PublicProxy {
  const view = publicView(stored, proxySpec.patterns);
  return {
    id,
    ...(typeof view.name === 'string' ? { name: view.name } : {}),
    uri: String(view.uri),
    ...(view.password ? { password: view.password as SecretStatus } : {}),
    updated_at: typeof stored._updated_at === 'string' ? stored._updated_at : null,
  };
}

/** The stored proxies: REST API operations, and the URL a request sends through (cached until a write). */
export class ProxyRegistry extends StoredKindRegistry<PublicProxy, string> {
  constructor(docs: KindDocs) {
    super(docs, { assertId: assertProxyId, toStored: toStoredProxy, toPublic });
  }

  /** The proxy's URL, password included (never logged or returned). Throws NOT_FOUND. */
  url(id: string): Promise<string> {
    return this.resolved(id, (opened) => proxyUrl(opened as StoredProxyDoc));
  }
}

/** Throws INVALID_ID for an id no proxy can have. */
export function assertProxyId(id: string): void {
  const problem = proxyIdProblem(id);
  if (problem) throw new VigilError('INVALID_ID', `invalid proxy id: ${problem}`);
}
