import { systemClock } from '../../src/clock.ts';
import { SearchContexts } from './contexts.ts';
import type { SearchEnv } from './search.ts';
import type { Store } from './store.ts';

/**
 * What a search in a unit test reads: every index of `store` refreshed first, so a test sees what it
 * wrote without refreshing, Elasticsearch's semantics, and `now` for date math.
 */
export function refreshedEnv(store: Store, now: number): SearchEnv {
  for (const i of store.indices.values()) store.refresh(i);
  return { store, contexts: new SearchContexts(systemClock), distribution: 'elasticsearch', now, started: 0 };
}
