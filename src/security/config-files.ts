/**
 * The security configuration files in the OpenSearch Security format (`internal_users.yml`,
 * `roles.yml`, `roles_mapping.yml`, `action_groups.yml`, `tenants.yml`, each with `_meta: {type,
 * config_version: 2}`): what `vigil security export` writes and `vigil security apply` reads. These
 * files are the only way to set `reserved` and `hidden`.
 *
 * Applying is all or nothing: every file present is parsed and validated, cross-references (roles'
 * action groups, mappings' roles, users' roles, tenants' run_as_role) are checked against the state as
 * it will be, and only then is each kind that has a file replaced whole. Built-in resources are never
 * written to or read from the files.
 */
import { parseDocument, stringify } from 'yaml';
import type { ErrorDetail } from '../errors.ts';
import type { ActionGroupRecord, RoleRecord, SecurityChange, SecurityDocKind, SecurityDocs, UserRecord } from '../state/security-types.ts';
import { BUILTINS } from './directory.ts';
import { BUILTIN_ACTION_GROUPS, groupProblems, type GroupLookup } from './permissions.ts';
import { zodDetail } from '../error-detail.ts';
import { roleProblems } from './resource-kinds.ts';
import { isValidName, TENANT_NAME_RE } from './roles.ts';
import { actionGroupSchema, mappingSchema, roleSchema, tenantSchema, userSchema } from './schemas.ts';

export type FileKind = 'internalusers' | SecurityDocKind;

export const FILES: ReadonlyArray<{ kind: FileKind; file: string }> = [
  { kind: 'internalusers', file: 'internal_users.yml' },
  { kind: 'roles', file: 'roles.yml' },
  { kind: 'rolesmapping', file: 'roles_mapping.yml' },
  { kind: 'actiongroups', file: 'action_groups.yml' },
  { kind: 'tenants', file: 'tenants.yml' },
];

const MAX_FILE = 10 * 1024 * 1024;

/** The state the files describe or are checked against. */
export interface SecuritySnapshot {
  users: UserRecord[];
  docs: { [K in SecurityDocKind]: Array<[string, SecurityDocs[K]]> };
}

const withFlags = (d: { reserved?: boolean; hidden?: boolean }) => ({ ...(d.reserved ? { reserved: true } : {}), ...(d.hidden ? { hidden: true } : {}) });

/** The five files' text for a snapshot (built-in resources left out). */
export function exportFiles(s: SecuritySnapshot): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { kind, file } of FILES) {
    const body: Record<string, unknown> = { _meta: { type: kind, config_version: 2 } };
    if (kind === 'internalusers') {
      for (const u of s.users) {
        body[u.name] = {
          hash: u.hash,
          ...withFlags(u),
          backend_roles: u.backendRoles,
          opendistro_security_roles: u.roles,
          attributes: u.attributes,
          ...(u.description !== undefined ? { description: u.description } : {}),
        };
      }
    } else {
      for (const [name, doc] of s.docs[kind]) if (!Object.hasOwn(BUILTINS[kind], name)) body[name] = doc;
    }
    out[file] = stringify(body, { lineWidth: 0 });
  }
  return out;
}

type Parsed = { [K in FileKind]?: Record<string, unknown> };

/** Problems as `file: path: message` lines. */
export type FileProblems = string[];

function parseFiles(texts: Record<string, string>, problems: FileProblems): Parsed {
  const parsed: Parsed = {};
  for (const { kind, file } of FILES) {
    const text = texts[file];
    if (text === undefined) continue;
    if (text.length > MAX_FILE) {
      problems.push(`${file}: larger than ${MAX_FILE} bytes`);
      continue;
    }
    const doc = parseDocument(text, { uniqueKeys: true });
    if (doc.errors.length) {
      for (const e of doc.errors) problems.push(`${file}: ${e.message.split('\n')[0]}`);
      continue;
    }
    const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      problems.push(`${file}: _: expected a mapping of names to entries`);
      continue;
    }
    const { _meta: meta, ...entries } = value as Record<string, unknown>;
    const m = meta as { type?: unknown; config_version?: unknown } | undefined;
    if (!m || m.type !== kind || m.config_version !== 2) problems.push(`${file}: _meta: expected {type: ${kind}, config_version: 2}`);
    parsed[kind] = entries;
  }
  return parsed;
}

const detailLines = (file: string, name: string, detail: ErrorDetail, problems: FileProblems) => {
  for (const [path, list] of Object.entries(detail)) for (const d of list) problems.push(`${file}: ${name}${path === '_' ? '' : `.${path}`}: ${d.error}`);
};

/**
 * The changes that make the state what the files say, or the problems found (then nothing is to be
 * written). Kinds without a file are left as they are. `now` stamps the users written.
 */
export function planApply(texts: Record<string, string>, current: SecuritySnapshot, now: number): { ok: true; changes: SecurityChange[]; counts: Record<string, number> } | { ok: false; problems: FileProblems } {
  const problems: FileProblems = [];
  const parsed = parseFiles(texts, problems);
  if (!Object.keys(parsed).length && !problems.length) problems.push(`none of ${FILES.map((f) => f.file).join(', ')} found`);
  const fileOf = (k: FileKind) => FILES.find((f) => f.kind === k)!.file;
  const valid = (k: FileKind, name: string) => (k === 'tenants' ? TENANT_NAME_RE.test(name) : isValidName(name));

  const docs: { [K in SecurityDocKind]: Map<string, SecurityDocs[K]> } = {
    roles: new Map(current.docs.roles),
    rolesmapping: new Map(current.docs.rolesmapping),
    actiongroups: new Map(current.docs.actiongroups),
    tenants: new Map(current.docs.tenants),
  };
  const schemas = { roles: roleSchema(true), rolesmapping: mappingSchema(true), actiongroups: actionGroupSchema(true), tenants: tenantSchema(true) };
  // First every document kind is read, so that references are checked against the new state.
  for (const kind of ['actiongroups', 'roles', 'rolesmapping', 'tenants'] as const) {
    const entries = parsed[kind];
    if (!entries) continue;
    const file = fileOf(kind);
    const next = new Map<string, SecurityDocs[typeof kind]>();
    for (const [name, body] of Object.entries(entries)) {
      if (!valid(kind, name)) problems.push(`${file}: ${name}: invalid name`);
      else if (Object.hasOwn(BUILTINS[kind], name)) problems.push(`${file}: ${name}: built in; it cannot be defined in a file`);
      const r = schemas[kind].safeParse(body ?? {});
      if (!r.success) detailLines(file, name, zodDetail(r.error.issues, { style: 'dotted' }), problems);
      else {
        const { static: _s, ...value } = r.data as Record<string, unknown>;
        next.set(name, value as never);
      }
    }
    (docs as Record<string, Map<string, unknown>>)[kind] = next;
  }
  const groups: GroupLookup = (n) => (Object.hasOwn(BUILTIN_ACTION_GROUPS, n) ? BUILTIN_ACTION_GROUPS[n] : (docs.actiongroups.get(n) as ActionGroupRecord | undefined));
  const roleExists = (n: string) => Object.hasOwn(BUILTINS.roles, n) || docs.roles.has(n);
  for (const [name, g] of docs.actiongroups) for (const p of groupProblems(name, g.allowed_actions, groups)) problems.push(`${fileOf('actiongroups')}: ${name}.allowed_actions${p.index < 0 ? '' : `.${p.index}`}: ${p.error}`);
  for (const [name, r] of docs.roles) detailLines(fileOf('roles'), name, roleProblems(r as RoleRecord, groups), problems);
  for (const [name] of docs.rolesmapping) if (!roleExists(name)) problems.push(`${fileOf('rolesmapping')}: ${name}: no role '${name}' to map`);
  for (const [name, t] of docs.tenants) if (t.run_as_role !== undefined && !roleExists(t.run_as_role)) problems.push(`${fileOf('tenants')}: ${name}.run_as_role: no such role`);

  let users = current.users;
  if (parsed.internalusers) {
    const schema = userSchema(true);
    users = [];
    for (const [name, body] of Object.entries(parsed.internalusers)) {
      if (!isValidName(name)) problems.push(`internal_users.yml: ${name}: invalid name`);
      const r = schema.safeParse(body ?? {});
      if (!r.success) {
        detailLines('internal_users.yml', name, zodDetail(r.error.issues, { style: 'dotted' }), problems);
        continue;
      }
      const d = r.data;
      if (d.hash === undefined) problems.push(`internal_users.yml: ${name}.hash: required ('' for a user who signs in with tokens only)`);
      const roles = d.opendistro_security_roles ?? d.roles ?? [];
      roles.forEach((x, i) => roleExists(x) || problems.push(`internal_users.yml: ${name}.opendistro_security_roles.${i}: no such role`));
      users.push({ name, hash: d.hash ?? '', roles, backendRoles: d.backend_roles ?? [], attributes: d.attributes ?? {}, ...(d.description !== undefined ? { description: d.description } : {}), reserved: d.reserved ?? false, hidden: d.hidden ?? false, updatedAt: now });
    }
  } else {
    // Users kept as they are must still name roles that exist.
    for (const u of users) u.roles.forEach((x) => roleExists(x) || problems.push(`internal_users.yml (not applied, kept): ${u.name}: role '${x}' would no longer exist`));
  }
  if (problems.length) return { ok: false, problems };

  const changes: SecurityChange[] = [];
  const counts: Record<string, number> = {};
  if (parsed.internalusers) {
    const keep = new Set(users.map((u) => u.name));
    for (const u of current.users) if (!keep.has(u.name)) changes.push({ kind: 'users', name: u.name, value: null });
    for (const u of users) changes.push({ kind: 'users', name: u.name, value: u });
    counts.internalusers = users.length;
  }
  for (const kind of ['roles', 'rolesmapping', 'actiongroups', 'tenants'] as const) {
    if (!parsed[kind]) continue;
    const next = docs[kind] as Map<string, unknown>;
    for (const [name] of current.docs[kind]) if (!next.has(name)) changes.push({ kind, name, value: null } as SecurityChange);
    for (const [name, value] of next) changes.push({ kind, name, value } as SecurityChange);
    counts[kind] = next.size;
  }
  return { ok: true, changes, counts };
}
