/**
 * An HttpClient that sends the requests for AWS's own endpoints to the stand-ins, for tests of what may
 * only go to AWS (the daemon's own credentials): the URL's origin is replaced by the stand-in's, and the
 * signed `host` header is kept, so the stand-in checks the very signature made for AWS. Requests to an
 * origin without a route fail as a connection would, and are counted.
 */
import { HttpError, type HttpClient } from '../../../../src/net/types.ts';

export interface AwsRouter extends HttpClient {
  /** Origins asked for that have no route. */
  unrouted(): string[];
}

/** `routes`: AWS origin (`https://sns.eu-west-1.amazonaws.com`) → stand-in base URL. */
export function routeAwsEndpoints(inner: HttpClient, routes: Record<string, string>): AwsRouter {
  const unrouted: string[] = [];
  return {
    async request(req) {
      const url = new URL(req.url);
      const to = routes[url.origin];
      if (to === undefined) {
        unrouted.push(url.origin);
        throw new HttpError('connect', `no route to ${url.origin} in this test`);
      }
      // Signed requests carry `host` already; an unsigned one gets AWS's as a client would send it.
      const headers = { host: url.host, ...req.headers };
      return inner.request({ ...req, url: `${to.replace(/\/+$/, '')}${url.pathname}${url.search}`, headers });
    },
    close: () => inner.close(),
    unrouted: () => unrouted,
  };
}
