/**
 * Reads by id, coalesced: every GET asked for in the same turn of the event loop goes out as one
 * realtime `_mget`, so a burst of runs loading their watches' states is one request, not one each.
 * Realtime: a read sees every write the cluster acknowledged, refreshed or not (read-your-writes
 * without waiting for a refresh). A failed request fails every read it carried; reads are not queued
 * across an outage (the caller's run fails and is retried by its schedule).
 */
import type { Doc, DocStoreClient } from '../../cluster/docstore-types.ts';

interface Want {
  index: string;
  id: string;
  resolve: (d: Doc | undefined) => void;
  reject: (e: unknown) => void;
}

/** Ids per request at most: a larger burst is split. */
const MAX_IDS = 1000;

export class MgetReader {
  readonly #ds: DocStoreClient;
  #wants: Want[] = [];
  #scheduled = false;

  constructor(ds: DocStoreClient) {
    this.#ds = ds;
  }

  get<T = Record<string, unknown>>(index: string, id: string): Promise<Doc<T> | undefined> {
    return new Promise((resolve, reject) => {
      this.#wants.push({ index, id, resolve: resolve as Want['resolve'], reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const wants = this.#wants;
    this.#wants = [];
    for (let i = 0; i < wants.length; i += MAX_IDS) {
      const part = wants.slice(i, i + MAX_IDS);
      this.#ds.mget(part.map((w) => ({ index: w.index, id: w.id }))).then(
        (docs) => part.forEach((w, j) => w.resolve(docs[j])),
        (e: unknown) => part.forEach((w) => w.reject(e)),
      );
    }
  }
}
