import type { DeliverDeps, DeliveryResult } from '../types.ts';

/**
 * What `POST /_signals/account/{type}/{id}/_test` gives an action type's `testAccount`: the I/O seams
 * only (no watch, no episode). The result says what happened, redacted like any delivery result.
 */
export type TestAccountDeps = Pick<DeliverDeps<unknown>, 'http' | 'clock' | 'logger' | 'signal'>;

export type TestAccountResult = DeliveryResult & { steps?: string[] };

/** Builds DeliverDeps for a one-off send from an account test. */
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
