/**
 * Stored proxies and trust stores, as a request refers to them (`proxy: "<id>"`, `tls.truststore_id`).
 * A rendered request keeps the reference, never what it points to: the outbox holds no proxy
 * password, and a proxy or trust store changed through the REST API applies to the next request of
 * every running watch. The HTTP client every check and action sends through resolves the references
 * of each request just before it is sent.
 */
import { HttpError, type HttpClient, type HttpRequest } from '../net/types.ts';
import { VigilError } from '../errors.ts';

/** Where references are resolved: the registries of the accounts store (which cache what they resolve). */
export interface StoredRefs {
  /** The stored proxy's URL, its credentials included. Throws VigilError NOT_FOUND for an unknown id. */
  proxyUri(id: string): Promise<string>;
  /** The stored trust store's certificates, as one PEM bundle. Throws VigilError NOT_FOUND for an unknown id. */
  truststorePem(id: string): Promise<string>;
}

/**
 * `http`, resolving the stored references of each request first. `refs` null: the node has no
 * registries (no master key), and a request that refers to a stored proxy or trust store fails without
 * connecting anywhere. A failure to resolve is an `invalid_request`, never retried: it names the id
 * only, never a URL or credential.
 */
export function resolvingStoredRefs(http: HttpClient, refs: StoredRefs | null): HttpClient {
  return {
    async request(req) {
      if (req.proxyId === undefined && req.tls?.truststore_id === undefined) return http.request(req);
      return http.request(await resolveRefs(req, refs));
    },
    close: () => http.close(),
  };
}

async function resolveRefs(req: HttpRequest, refs: StoredRefs | null): Promise<HttpRequest> {
  const { proxyId, ...out } = req;
  if (proxyId !== undefined) out.proxy = await lookup(refs, 'proxy', proxyId, (r) => r.proxyUri(proxyId));
  const storeId = req.tls?.truststore_id;
  if (storeId !== undefined) {
    const { truststore_id: _, ...tls } = req.tls!;
    out.tls = { ...tls, trusted_certs: await lookup(refs, 'trust store', storeId, (r) => r.truststorePem(storeId)) };
  }
  return out;
}

async function lookup(refs: StoredRefs | null, what: string, id: string, get: (r: StoredRefs) => Promise<string>): Promise<string> {
  if (!refs) throw new HttpError('invalid_request', `stored ${what} '${id}' cannot be used: no master key is configured`);
  try {
    return await get(refs);
  } catch (e) {
    if (e instanceof VigilError && e.code === 'NOT_FOUND') throw new HttpError('invalid_request', `no stored ${what} '${id}'`);
    throw new HttpError('invalid_request', `stored ${what} '${id}' cannot be used: ${e instanceof VigilError ? e.message : 'it could not be read'}`);
  }
}
