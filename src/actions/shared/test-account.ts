import type { DeliverDeps, TestAccountDeps } from '../types.ts';

export type { TestAccountDeps, TestAccountResult } from '../types.ts';

/**
 * Builds DeliverDeps for a one-off send from an account test (`POST /_signals/account/{type}/{id}/_test`).
 * The seams come from the caller unchanged: the HTTP client already pinned to the account's
 * destination and the egress check, as for a delivery.
 */
export function testDeliverDeps<A>(account: A, deps: TestAccountDeps, key: string): DeliverDeps<A> {
  return {
    ...deps,
    account,
    accountId: undefined,
    idempotencyKey: key,
    episodeKey: key,
    attempt: 1,
    searchClient() {
      throw new Error('account tests do not use a cluster');
    },
  };
}
