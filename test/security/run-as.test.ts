/**
 * Who watches run as, read from the security configuration at each question: a saver's recorded roles
 * in their current definitions, a tenant's run_as_role, the default role for tenants without one (the
 * built-in vigil_files: every index), and no access at all when there is no default.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openStateStore } from '../../src/state/open-store.ts';
import type { StateStore } from '../../src/state/types.ts';
import type { RoleRecord } from '../../src/state/security-types.ts';
import { SecurityDirectory } from '../../src/security/directory.ts';
import { createRunAs } from '../../src/security/run-as.ts';
import { FILES_ROLE } from '../../src/security/roles.ts';
import { configSchema } from '../../src/config/schema.ts';
import { tempDirs } from '../kit/temp-dirs.ts';

const tempDir = tempDirs('vigil-runas-');
const SEARCH = 'indices:data/read/search';
const WRITE = 'indices:data/write/index';
const role = (patterns: string[], actions = ['read'], clusters?: string[]): RoleRecord => ({
  cluster_permissions: [],
  tenant_permissions: [],
  index_permissions: [{ index_patterns: patterns, allowed_actions: actions, ...(clusters ? { clusters } : {}) }],
});

let store: StateStore | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

async function directory(): Promise<SecurityDirectory> {
  store = openStateStore(tempDir());
  const dir = await SecurityDirectory.load(store.security);
  await dir.write([
    { kind: 'roles', name: 'team_a', value: role(['a-*'], ['read', 'index'], ['default']) },
    { kind: 'roles', name: 'team_b', value: role(['b-*']) },
    { kind: 'tenants', name: 'b', value: { run_as_role: 'team_b' } },
    { kind: 'tenants', name: 'ghost', value: { run_as_role: 'gone' } },
  ]);
  return dir;
}

describe('a watch saved through the API', () => {
  it('runs as its saver: their recorded roles, as the roles are defined at the time of each call', async () => {
    const dir = await directory();
    const access = createRunAs(dir, { defaultRole: FILES_ROLE }).forWatch({ tenant: 'a', savedBy: { user: 'alice', roles: ['team_a'], backend_roles: [] } });
    expect(access.user).toBe('alice');
    expect(access.denied('default', 'a-logs', SEARCH)).toBeNull();
    expect(access.denied('default', 'a-alerts', WRITE)).toBeNull();
    expect(access.denied('default', 'b-logs', SEARCH)).toBe(
      "indices:data/read/search on index 'b-logs' of cluster 'default' is not allowed to user 'alice', who saved the watch (roles: team_a)",
    );
    expect(access.denied('other', 'a-logs', SEARCH)).toMatch(/of cluster 'other' is not allowed to user 'alice'/);
    // The permission is taken away from the role: the next call is refused, nothing saved again.
    await dir.write([{ kind: 'roles', name: 'team_a', value: role(['a-logs']) }]);
    expect(access.denied('default', 'a-alerts', SEARCH)).toMatch(/not allowed/);
    await dir.write([{ kind: 'roles', name: 'team_a', value: null }]);
    expect(access.denied('default', 'a-logs', SEARCH)).toBe(
      "indices:data/read/search on index 'a-logs' of cluster 'default' is not allowed to user 'alice', who saved the watch (roles: none; deleted since: team_a)",
    );
  });
});

describe('a watch nobody saved through the API', () => {
  it("runs as its tenant's run_as_role, and says when that role does not exist", async () => {
    const dir = await directory();
    const runAs = createRunAs(dir, { defaultRole: FILES_ROLE });
    const b = runAs.forWatch({ tenant: 'b', savedBy: null });
    expect(b.user).toBeNull();
    expect(b.denied('default', 'b-logs', SEARCH)).toBeNull();
    expect(b.denied('default', 'b-logs', WRITE)).toBe("indices:data/write/index on index 'b-logs' of cluster 'default' is not allowed to role 'team_b' (the run_as_role of tenant 'b')");
    expect(b.denied('default', 'a-logs', SEARCH)).toMatch(/not allowed to role 'team_b'/);
    expect(runAs.forWatch({ tenant: 'ghost', savedBy: null }).denied('default', 'x', SEARCH)).toMatch(/role 'gone' \(the run_as_role of tenant 'ghost'\) does not exist/);
    // A tenant's run_as_role changed: its watches' next call runs as the new role.
    await dir.write([{ kind: 'tenants', name: 'b', value: { run_as_role: 'team_a' } }]);
    expect(b.denied('default', 'b-logs', SEARCH)).toMatch(/not allowed to role 'team_a'/);
  });

  it('a tenant without run_as_role (_main, a folder made by hand) runs as the default role: by default vigil_files, every index', async () => {
    const dir = await directory();
    const runAs = createRunAs(dir, { defaultRole: FILES_ROLE });
    for (const tenant of ['_main', 'made_by_hand']) {
      const access = runAs.forWatch({ tenant, savedBy: null });
      expect(access.denied('any', '*', SEARCH)).toBeNull();
      expect(access.denied('any', 'alerts', WRITE)).toBeNull();
    }
    expect(configSchema.parse({}).security.default_run_as_role).toBe(FILES_ROLE);
    expect(createRunAs(dir, { defaultRole: 'team_b' }).forWatch({ tenant: '_main', savedBy: null }).denied('default', 'a-x', SEARCH)).toMatch(
      /not allowed to role 'team_b' \(security.default_run_as_role, as tenant '_main' names no run_as_role\)/,
    );
  });

  it('with no default role (strict isolation) such a watch has no cluster access; a tenant with a role keeps it', async () => {
    const dir = await directory();
    const runAs = createRunAs(dir, { defaultRole: null });
    expect(runAs.forWatch({ tenant: '_main', savedBy: null }).denied('default', 'logs', SEARCH)).toBe(
      "indices:data/read/search on index 'logs' of cluster 'default' is not allowed: tenant '_main' names no run_as_role and security.default_run_as_role is null, so its watches that nobody saved through the API have no cluster access",
    );
    expect(runAs.forWatch({ tenant: 'b', savedBy: null }).denied('default', 'b-logs', SEARCH)).toBeNull();
  });
});
