/** `vigil security export|apply`: the OpenSearch Security files round-trip, are validated all or nothing, and set reserved/hidden. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { securityCommand } from '../../src/cli/security.ts';
import { SqliteStateStore } from '../../src/state/sqlite.ts';

const FILES = ['internal_users.yml', 'roles.yml', 'roles_mapping.yml', 'action_groups.yml', 'tenants.yml'];

function io() {
  const o = { out: '', err: '' };
  return Object.assign(o, { stdout: (s: string) => void (o.out += s), stderr: (s: string) => void (o.err += s) });
}

async function withStore<T>(data: string, fn: (s: SqliteStateStore['security']) => Promise<T>): Promise<T> {
  const store = new SqliteStateStore(data);
  try {
    return await fn(store.security);
  } finally {
    await store.close();
  }
}

describe('vigil security export / apply', () => {
  let base: string;
  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'vigil-secfiles-'));
  });
  afterEach(() => rm(base, { recursive: true, force: true }));

  it('round-trips: export, apply elsewhere, export again gives the same files; reserved and hidden come from the files', async () => {
    const hash = bcrypt.hashSync('make it so', 4).replace(/^\$2b\$/, '$2y$');
    await withStore(join(base, 'a'), (s) =>
      s.apply([
        { kind: 'actiongroups', name: 'ONCALL', value: { allowed_actions: ['VIGIL_WATCH_ACKNOWLEDGE', 'watch:read'], type: 'tenant', description: 'on call' } },
        { kind: 'roles', name: 'oncall', value: { cluster_permissions: ['account:read'], index_permissions: [{ index_patterns: ['logs-*'], allowed_actions: ['read'], clusters: ['prod'] }], tenant_permissions: [{ tenant_patterns: ['ops*'], allowed_actions: ['ONCALL'] }], reserved: true } },
        { kind: 'rolesmapping', name: 'oncall', value: { users: ['picard'], backend_roles: ['sre'], and_backend_roles: [], hosts: ['10.0.0.0/8'] } },
        { kind: 'tenants', name: 'ops', value: { description: 'operations', run_as_role: 'oncall' } },
        { kind: 'users', name: 'picard', value: { name: 'picard', hash, roles: ['oncall'], backendRoles: ['captain'], attributes: { ship: 'enterprise-d' }, description: 'captain', reserved: true, hidden: false, updatedAt: 1 } },
        { kind: 'users', name: 'q', value: { name: 'q', hash: '', roles: ['viewer'], backendRoles: [], attributes: {}, reserved: false, hidden: true, updatedAt: 1 } },
      ]),
    );
    const out1 = join(base, 'out1');
    expect(await securityCommand(['export', out1, '--data', join(base, 'a')], io())).toBe(0);
    expect((await stat(join(out1, 'internal_users.yml'))).mode & 0o777).toBe(0o600);
    const roles = await readFile(join(out1, 'roles.yml'), 'utf8');
    expect(roles).toMatch(/^_meta:\n {2}type: roles\n {2}config_version: 2\n/);
    expect(roles).not.toMatch(/^admin:/m); // built-in roles are not in the files

    const applied = io();
    expect(await securityCommand(['apply', out1, '--data', join(base, 'b'), '--watches', join(base, 'watches')], applied)).toBe(0);
    expect(applied.out).toMatch(/internalusers 2, roles 1, rolesmapping 1, actiongroups 1, tenants 1/);
    const out2 = join(base, 'out2');
    expect(await securityCommand(['export', out2, '--data', join(base, 'b')], io())).toBe(0);
    for (const f of FILES) expect(await readFile(join(out2, f), 'utf8'), f).toBe(await readFile(join(out1, f), 'utf8'));
    await withStore(join(base, 'b'), async (s) => {
      expect(await s.users.get('picard')).toMatchObject({ hash, reserved: true, backendRoles: ['captain'] });
      expect(await s.users.get('q')).toMatchObject({ hidden: true, hash: '' });
      expect(await s.docs.get('roles', 'oncall')).toMatchObject({ reserved: true });
    });
    await stat(join(base, 'watches', 'ops')); // the tenant's folder was made
  });

  it('validates every file before writing anything, with file, name and path in each problem', async () => {
    const data = join(base, 'data');
    await withStore(data, (s) => s.apply([{ kind: 'roles', name: 'keep', value: { cluster_permissions: [], index_permissions: [], tenant_permissions: [] } }]));
    const dir = join(base, 'files');
    await mkdir(dir);
    await writeFile(join(dir, 'roles.yml'), '_meta: {type: roles, config_version: 2}\nops:\n  cluster_permissions: [watch:read]\nodd:\n  shiny: 1\nadmin:\n  cluster_permissions: ["*"]\n');
    await writeFile(join(dir, 'internal_users.yml'), '_meta: {type: internalusers, config_version: 2}\nkirk:\n  password: plaintext-here\n  opendistro_security_roles: [nope]\nspock:\n  hash: "$1$x"\n');
    await writeFile(join(dir, 'action_groups.yml'), '_meta: {type: actiongroups, config_version: 2}\nA: {allowed_actions: [B]}\nB: {allowed_actions: [A]}\n');
    await writeFile(join(dir, 'tenants.yml'), '_meta: {type: roles, config_version: 2}\n');
    const o = io();
    expect(await securityCommand(['apply', dir, '--data', data], o)).toBe(1);
    for (const line of [
      'roles.yml: ops.cluster_permissions.0: watch permissions are granted per tenant',
      'roles.yml: odd.shiny: unknown field',
      'roles.yml: admin: built in',
      'internal_users.yml: kirk.password: configuration files carry hashes only',
      'internal_users.yml: spock.hash: expected a bcrypt hash',
      'action_groups.yml: A.allowed_actions: action group \'A\' includes itself',
      'tenants.yml: _meta: expected {type: tenants, config_version: 2}',
    ]) expect(o.err).toContain(line);
    expect(o.err).not.toContain('plaintext-here');
    await withStore(data, async (s) => {
      expect((await s.docs.list('roles')).map(([n]) => n)).toEqual(['keep']);
      expect(await s.users.list()).toEqual([]);
    });
  });

  it('refuses to drop a tenant that holds watches, and a YAML syntax error', async () => {
    const data = join(base, 'data');
    const watches = join(base, 'watches');
    await withStore(data, (s) => s.apply([{ kind: 'tenants', name: 'ops', value: {} }]));
    await mkdir(join(watches, 'ops'), { recursive: true });
    await writeFile(join(watches, 'ops', 'w.json'), '{}');
    const dir = join(base, 'files');
    await mkdir(dir);
    await writeFile(join(dir, 'tenants.yml'), '_meta: {type: tenants, config_version: 2}\n');
    const o = io();
    expect(await securityCommand(['apply', dir, '--data', data, '--watches', watches], o)).toBe(1);
    expect(o.err).toContain('tenants.yml: ops: holds 1 watch(es)');
    await writeFile(join(dir, 'tenants.yml'), '_meta: {type: tenants\n');
    const bad = io();
    expect(await securityCommand(['apply', dir, '--data', data, '--watches', watches], bad)).toBe(1);
    expect(bad.err).toMatch(/tenants\.yml: /);
    await withStore(data, async (s) => expect(await s.docs.get('tenants', 'ops')).toEqual({}));
  });
});
