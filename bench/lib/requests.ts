/**
 * Counts the HTTP requests this process sends to one origin, by undici's diagnostics channel (the
 * clients of Elasticsearch and OpenSearch and `fetch` all go through undici): what the cluster backend
 * asks of the cluster, without wrapping the daemon's document client.
 */
import diagnostics from 'node:diagnostics_channel';

interface RequestCreate {
  request: { origin?: string | URL; path: string };
}

export interface RequestCounter {
  /** Requests to the origin since the start, and how many of them `isExcluded` left out. */
  stop(): { requests: number; excluded: number };
}

/** Starts counting requests to `origin`; those whose path `isExcluded` accepts are counted apart. */
export function countRequests(origin: string, isExcluded: (path: string) => boolean = () => false): RequestCounter {
  const want = new URL(origin).origin;
  let requests = 0;
  let excluded = 0;
  const onCreate = (msg: unknown) => {
    const { request } = msg as RequestCreate;
    if (request.origin === undefined || new URL(String(request.origin)).origin !== want) return;
    if (isExcluded(request.path)) excluded++;
    else requests++;
  };
  diagnostics.subscribe('undici:request:create', onCreate);
  return {
    stop() {
      diagnostics.unsubscribe('undici:request:create', onCreate);
      return { requests, excluded };
    },
  };
}
