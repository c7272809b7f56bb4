/**
 * The five kinds of security resource as the REST API (resources.ts) serves them: internal users,
 * roles, role mappings, action groups and tenants. Each validates strictly (schemas.ts), checks what it
 * refers to (roles, action groups), and shows the OpenSearch Security shape on GET, never a hash.
 */
import type { z } from 'zod';
import type { ErrorDetail } from '../errors.ts';
import type { ActionGroupRecord, RoleRecord, SecurityChange, SecurityDocKind, SecurityDocs } from '../state/security-types.ts';
import type { SecurityDirectory } from './directory.ts';
import type { Namespaces } from './namespaces.ts';
import { actionProblem, BUILTIN_ACTION_GROUPS, groupProblems, type GroupLookup } from './permissions.ts';
import { badRequest, type Prepared, type ResourceKind } from './resources.ts';
import { zodDetail } from '../error-detail.ts';
import { TENANT_NAME_RE } from './roles.ts';
import { actionGroupSchema, mappingSchema, roleSchema, tenantSchema, userSchema } from './schemas.ts';
import type { UserAdmin } from './user-admin.ts';

const problems = (detail: ErrorDetail): Prepared => ({ ok: false, detail });
const flagsOf = (d: { reserved?: boolean; hidden?: boolean } | undefined) => d && { reserved: Boolean(d.reserved || d.hidden), hidden: Boolean(d.hidden) };

/** The flags and `static` every GET view carries. */
function shown(dir: SecurityDirectory, kind: SecurityDocKind, name: string, d: { reserved?: boolean; hidden?: boolean }) {
  return { reserved: Boolean(d.reserved || d.hidden), hidden: Boolean(d.hidden), static: dir.isBuiltin(kind, name) };
}

function docKind<K extends SecurityDocKind>(
  dir: SecurityDirectory,
  kind: K,
  label: string,
  view: (d: SecurityDocs[K]) => Record<string, unknown>,
  body: z.ZodType,
  parse: (name: string, body: unknown, after: Record<string, unknown>) => { ok: true; value: SecurityDocs[K] } | { ok: false; detail: ErrorDetail },
): ResourceKind {
  return {
    label,
    body,
    names: () => dir.docs(kind).map(([n]) => n),
    flags: (n) => flagsOf(dir.doc(kind, n)),
    view: (n) => {
      const d = dir.doc(kind, n)!;
      const { reserved: _r, hidden: _h, ...rest } = d as SecurityDocs[K] & { reserved?: boolean; hidden?: boolean };
      return { ...shown(dir, kind, n, d), ...view(rest as SecurityDocs[K]) };
    },
    async prepare(name, body, { after }) {
      const r = parse(name, body, after);
      if (!r.ok) return problems(r.detail);
      return { ok: true, changes: [{ kind, name, value: r.value } as SecurityChange] };
    },
    remove: async (name) => ({ ok: true, changes: [{ kind, name, value: null } as SecurityChange] }),
  };
}

/** Drops the REST-only flags (`static`, and `reserved`/`hidden` when false) from a parsed document. */
function stripFlags<T extends { reserved?: boolean | undefined; hidden?: boolean | undefined; static?: unknown }>(v: T): Omit<T, 'static'> {
  const { static: _s, reserved, hidden, ...rest } = v;
  return { ...rest, ...(reserved ? { reserved } : {}), ...(hidden ? { hidden } : {}) } as Omit<T, 'static'>;
}

/** Permission problems of a role document, by path. */
export function roleProblems(r: RoleRecord, groups: GroupLookup): ErrorDetail {
  const detail: ErrorDetail = {};
  const add = (path: string, p: string | null) => p && (detail[path] ??= []).push({ error: p });
  r.cluster_permissions.forEach((a, i) => add(`cluster_permissions.${i}`, actionProblem(a, 'cluster', groups)));
  r.tenant_permissions.forEach((t, i) => t.allowed_actions.forEach((a, j) => add(`tenant_permissions.${i}.allowed_actions.${j}`, actionProblem(a, 'tenant', groups))));
  r.index_permissions.forEach((x, i) => x.allowed_actions.forEach((a, j) => add(`index_permissions.${i}.allowed_actions.${j}`, actionProblem(a, 'index', groups))));
  return detail;
}

export function rolesKind(dir: SecurityDirectory, files = false): ResourceKind {
  const schema = roleSchema(files);
  return docKind(dir, 'roles', 'role', (d) => ({ ...d }), schema, (_name, body) => {
    const r = schema.safeParse(body);
    if (!r.success) return { ok: false, detail: zodDetail(r.error.issues, { style: 'dotted' }) };
    const value = stripFlags(r.data) as RoleRecord;
    const detail = roleProblems(value, dir.actionGroup);
    return Object.keys(detail).length ? { ok: false, detail } : { ok: true, value };
  });
}

export function mappingsKind(dir: SecurityDirectory, files = false): ResourceKind {
  const schema = mappingSchema(files);
  const kind = docKind(dir, 'rolesmapping', 'role mapping', (d) => ({ ...d }), schema, (name, body) => {
    const r = schema.safeParse(body);
    if (!r.success) return { ok: false, detail: zodDetail(r.error.issues, { style: 'dotted' }) };
    if (!dir.role(name)) return { ok: false, detail: { _: [{ error: `no role '${name}' to map` }] } };
    return { ok: true, value: stripFlags(r.data) };
  });
  return kind;
}

export function actionGroupsKind(dir: SecurityDirectory, files = false): ResourceKind {
  const schema = actionGroupSchema(files);
  return docKind(dir, 'actiongroups', 'action group', (d) => ({ ...d }), schema, (name, body, after) => {
    const r = schema.safeParse(body);
    if (!r.success) return { ok: false, detail: zodDetail(r.error.issues, { style: 'dotted' }) };
    const value = stripFlags(r.data) as ActionGroupRecord;
    // Nesting is checked against the collection as it will be, so a bulk PATCH may add groups that use each other.
    const lookup: GroupLookup = (n) => (Object.hasOwn(BUILTIN_ACTION_GROUPS, n) ? BUILTIN_ACTION_GROUPS[n] : (after[n] as ActionGroupRecord | undefined));
    const detail: ErrorDetail = {};
    for (const p of groupProblems(name, value.allowed_actions, lookup)) (detail[p.index < 0 ? 'allowed_actions' : `allowed_actions.${p.index}`] ??= []).push({ error: p.error });
    return Object.keys(detail).length ? { ok: false, detail } : { ok: true, value };
  });
}

export function tenantsKind(dir: SecurityDirectory, spaces: Namespaces, folders: () => readonly string[], files = false): ResourceKind {
  const schema = tenantSchema(files);
  const base = docKind(dir, 'tenants', 'tenant', (d) => ({ ...d }), schema, (_name, body) => {
    const r = schema.safeParse(body);
    if (!r.success) return { ok: false, detail: zodDetail(r.error.issues, { style: 'dotted' }) };
    if (r.data.run_as_role !== undefined && !dir.role(r.data.run_as_role)) return { ok: false, detail: { run_as_role: [{ error: 'no such role' }] } };
    return { ok: true, value: stripFlags(r.data) };
  });
  // A folder under the watches folder is a tenant even before it has a document.
  const implicit = (n: string) => !dir.doc('tenants', n) && folders().includes(n);
  return {
    ...base,
    validName: (n) => TENANT_NAME_RE.test(n),
    names: () => [...new Set([...base.names(), ...folders()])],
    flags: (n) => (implicit(n) ? { reserved: false, hidden: false } : base.flags(n)),
    view: (n) => (implicit(n) ? { reserved: false, hidden: false, static: false } : base.view(n)),
    async remove(name) {
      const files = await spaces.watchFiles(name);
      if (files.length) return { ok: false, result: { code: 409, body: { status: 'CONFLICT', message: `Tenant '${name}' holds ${files.length} watch(es); delete them first.`, code: 'CONFLICT' } } };
      // Even a tenant that is only a folder: the change is what removes the folder afterwards.
      return { ok: true, changes: [{ kind: 'tenants', name, value: null }] };
    },
    async after(changes) {
      for (const c of changes) {
        if (c.kind !== 'tenants') continue;
        if (c.value) await spaces.create(c.name);
        else await spaces.removeIfEmpty(c.name);
      }
    },
  };
}

export function usersKind(dir: SecurityDirectory, users: UserAdmin, files = false): ResourceKind {
  const schema = userSchema(files);
  return {
    label: 'user',
    body: schema,
    names: () => users.list().map((u) => u.name),
    flags: (n) => flagsOf(users.get(n)),
    view: (n) => {
      const u = users.get(n)!;
      return {
        hash: '',
        reserved: u.reserved || u.hidden,
        hidden: u.hidden,
        backend_roles: u.backendRoles,
        attributes: u.attributes,
        ...(u.description !== undefined ? { description: u.description } : {}),
        opendistro_security_roles: u.roles,
        static: false,
      };
    },
    async prepare(name, body, { existed }) {
      const r = schema.safeParse(body);
      if (!r.success) return problems(zodDetail(r.error.issues, { style: 'dotted' }));
      const d = r.data;
      const roles = d.opendistro_security_roles ?? d.roles ?? [];
      const missing = roles.filter((x) => !dir.role(x));
      if (missing.length) return problems({ [d.opendistro_security_roles ? 'opendistro_security_roles' : 'roles']: missing.map((x) => ({ error: `no such role: ${x}` })) });
      if (!existed && d.password === undefined && !d.hash) return problems({ password: [{ error: 'a new user needs a password (or a hash)' }] });
      const record = await users.record(name, {
        password: d.password,
        hash: d.hash,
        roles,
        backendRoles: d.backend_roles,
        attributes: d.attributes,
        description: d.description,
        reserved: d.reserved,
        hidden: d.hidden,
      });
      return { ok: true, changes: [{ kind: 'users', name, value: record }] };
    },
    remove: async (name) => ({ ok: true, changes: [{ kind: 'users', name, value: null }] }),
    // A deleted user's tokens are gone from the store: forget any remembered one at once.
    after: async () => users.forgetTokens(),
  };
}

export { badRequest };
