/**
 * What the stored proxy and trust store routes share: the registry they live in (the accounts store,
 * so they need the master key as accounts do) and the refusal to delete one a watch still uses.
 */
import { z } from 'zod';
import type { AccountRegistry } from '../../accounts/registry.ts';
import { VigilError } from '../../errors.ts';
import type { Permission } from '../../security/types.ts';
import type { ApiContext } from '../context.ts';

const idParams = z.object({ id: z.string() });

/** A route's permission and its declaration for the OpenAPI document (the id parameter where the path has one). */
export const access = (permission: Permission, summary: string, withId = false) => ({
  config: { access: { permission } },
  schema: withId ? { summary, params: idParams } : { summary },
});

export function accountsOf(app: ApiContext): AccountRegistry {
  if (app.accounts) return app.accounts;
  throw new VigilError('ACCOUNTS_UNAVAILABLE', 'stored proxies and trust stores are unavailable: no master key is configured (set VIGIL_MASTER_KEY or --key-file; create one with `vigil keygen`)');
}

/** Throws CONFLICT naming the watches (`tenant/id`) whose loaded definition names this proxy or trust store. */
export function refuseIfUsed(app: ApiContext, kind: 'proxy' | 'truststore', id: string): void {
  const users = app.watches
    .list()
    .filter((lw) => lw.watch?.storedRefs.some((r) => r.kind === kind && r.id === id))
    .map((lw) => `${lw.ref.tenant}/${lw.ref.id}`)
    .sort();
  if (users.length === 0) return;
  const what = kind === 'proxy' ? 'proxy' : 'trust store';
  throw new VigilError('CONFLICT', `${what} ${id} is used by ${users.length} watch(es): ${users.join(', ')}`, {
    watches: users.map((w) => ({ error: `uses this ${what}`, value: w })),
  });
}
