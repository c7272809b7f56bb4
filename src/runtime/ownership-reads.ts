/**
 * What a daemon reads of the stored state when the membership changes and watches move between daemons:
 * everything at once, so thousands of moved watches cost a query and a few batched reads, not a round
 * trip each (per-watch reads took longer than the lease at 10 000 watches).
 */
import type { Logger } from 'pino';
import { lastScheduledTime, type StateStore } from '../state/types.ts';
import { watchKey, type WatchRef } from '../watches/repository.ts';

/** States read at once (the cluster store turns one turn's reads into one `_mget`). */
const STATE_READ_BATCH = 1000;

/**
 * Every watch's `active_override` by watch key, or null when they cannot be read at once (the caller
 * then reads each watch's alone).
 */
export async function readOverrides(store: StateStore, logger: Logger): Promise<Map<string, boolean> | null> {
  try {
    return new Map((await store.watchState.activeOverrides()).map((o) => [watchKey({ tenant: o.tenant, id: o.watchId }), o.active]));
  } catch (e) {
    logger.warn({ err: (e as Error).message }, 'watch ownership change: overrides not read at once; reading them one by one');
    return null;
  }
}

/**
 * The last scheduled time each watch ran, by whichever daemon, from its stored state read afresh (the
 * cached copy is dropped first: another daemon ran the watch). A state that cannot be read, or that
 * records no run, gives no time.
 */
export async function readLastRan(store: StateStore, refs: readonly WatchRef[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < refs.length; i += STATE_READ_BATCH) {
    await Promise.all(refs.slice(i, i + STATE_READ_BATCH).map(async (ref) => {
      store.watchState.forget?.(ref.tenant, ref.id);
      const state = await store.watchState.get(ref.tenant, ref.id).catch(() => undefined);
      const last = state && lastScheduledTime(state);
      if (last !== undefined) out.set(watchKey(ref), last);
    }));
  }
  return out;
}
