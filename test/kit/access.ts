/**
 * Index access for tests that are not about it: every index allowed (what a watch runs as in the
 * default configuration, the built-in `vigil_files` role), and a resolver that runs every watch so.
 */
import type { IndexAccess } from '../../src/checks/types.ts';
import type { RunAsResolver } from '../../src/watches/run-as.ts';

export const allowAll: IndexAccess = { user: null, denied: () => null };
export const allowAllRunAs: RunAsResolver = { forWatch: () => allowAll };
