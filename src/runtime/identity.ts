import type { IndexAccess } from '../checks/types.ts';
import type { RunAsResolver, SavedBy } from '../watches/run-as.ts';

/**
 * The identity a run of `w` searches and writes as: the watch's own (who saved it, or its tenant's
 * role). An execution through the API also needs the caller's access: what it may change (`input`,
 * `goto`) must not let a caller reach, through a watch saved by someone with more access, an index the
 * caller may not search themselves.
 */
export function runIdentity(runAs: RunAsResolver, w: { tenant: string; savedBy: SavedBy | null }, caller?: SavedBy): IndexAccess {
  const own = runAs.forWatch(w);
  if (!caller) return own;
  const theirs = runAs.forWatch({ tenant: w.tenant, savedBy: caller });
  return {
    user: own.user,
    denied(cluster, target, action) {
      const denial = own.denied(cluster, target, action);
      if (denial) return denial;
      const callers = theirs.denied(cluster, target, action);
      return callers && `an execution through the API runs with the caller's access too: ${callers}`;
    },
  };
}
