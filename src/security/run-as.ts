/**
 * Who watches run as, from the security configuration: the `RunAsResolver` the runtime asks before
 * every search and write and the watch loader asks about literal index names. Nothing is copied: each
 * question reads the roles and tenants as they are then, so a changed role, `run_as_role` or role
 * deletion applies to the next call, without the watch being saved again.
 *
 * - A watch saved through the API runs as its saver: the roles recorded with it (their effective roles
 *   when they saved it), each looked up in the current role definitions; a role deleted since grants
 *   nothing.
 * - Any other watch (a file put in the watches folder) runs as its tenant's `run_as_role`; a tenant
 *   without one (the built-in `_main`, a folder made by hand) runs as `defaultRole`, and with no default
 *   role it has no cluster access.
 */
import type { IndexAccess, IndexActionName } from '../checks/types.ts';
import type { RunAsResolver, SavedBy } from '../watches/run-as.ts';
import type { SecurityDirectory } from './directory.ts';
import { indexAllowed, type CompiledRole } from './role-eval.ts';

export interface RunAsOptions {
  /**
   * The role of a watch nobody saved through the API whose tenant names no `run_as_role`
   * (`security.default_run_as_role`); null: such watches have no cluster access.
   */
  defaultRole: string | null;
}

type Roles = Pick<SecurityDirectory, 'compiled' | 'doc'>;

/** Index names are the watch's (rendered from its data): cut so that a message stays a message. */
const shown = (index: string) => (index.length > 200 ? `${index.slice(0, 200)}…` : index);
const call = (cluster: string, index: string, action: IndexActionName) => `${action} on index '${shown(index)}' of cluster '${cluster}'`;
const list = (names: readonly string[]) => (names.length ? names.join(', ') : 'none');

export function createRunAs(dir: Roles, o: RunAsOptions): RunAsResolver {
  return { forWatch: (w) => (w.savedBy ? asSaver(dir, w.savedBy) : asTenant(dir, w.tenant, o.defaultRole)) };
}

function asSaver(dir: Roles, saver: SavedBy): IndexAccess {
  return {
    user: saver.user,
    denied(cluster, index, action) {
      const roles = saver.roles.map((r) => dir.compiled(r)).filter((r): r is CompiledRole => r !== undefined);
      if (indexAllowed(roles, cluster, index, action)) return null;
      const gone = saver.roles.filter((r) => !dir.compiled(r));
      const deleted = gone.length ? `; deleted since: ${gone.join(', ')}` : '';
      return `${call(cluster, index, action)} is not allowed to user '${saver.user}', who saved the watch (roles: ${list(roles.map((r) => r.name))}${deleted})`;
    },
  };
}

function asTenant(dir: Roles, tenant: string, defaultRole: string | null): IndexAccess {
  return {
    user: null,
    denied(cluster, index, action) {
      const own = dir.doc('tenants', tenant)?.run_as_role;
      const name = own ?? defaultRole;
      const whose = own !== undefined ? `the run_as_role of tenant '${tenant}'` : `security.default_run_as_role, as tenant '${tenant}' names no run_as_role`;
      if (name === null) {
        return `${call(cluster, index, action)} is not allowed: tenant '${tenant}' names no run_as_role and security.default_run_as_role is null, so its watches that nobody saved through the API have no cluster access`;
      }
      const role = dir.compiled(name);
      if (!role) return `${call(cluster, index, action)} is not allowed: role '${name}' (${whose}) does not exist`;
      if (indexAllowed([role], cluster, index, action)) return null;
      return `${call(cluster, index, action)} is not allowed to role '${name}' (${whose})`;
    },
  };
}
