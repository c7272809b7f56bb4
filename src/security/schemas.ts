/**
 * What the REST API (and the configuration files) accept for each kind of security resource. Strict:
 * unknown fields are refused with their path. Over REST, `reserved`, `hidden` and `static` may appear
 * only as `false` (what GET shows): those flags are set from configuration files alone.
 */
import { z } from 'zod';
import { isHostPattern } from './patterns.ts';
import { isValidName, TENANT_NAME_RE } from './roles.ts';

const FLAG_MESSAGE = 'set only from configuration files (vigil security apply), never over REST';
/** `reserved`/`hidden` in a body: `false` over REST; anything a boolean in configuration files. */
const flag = (files: boolean) => (files ? z.boolean().optional() : z.literal(false, { error: FLAG_MESSAGE }).optional());
const staticFlag = z.literal(false, { error: 'built-in resources cannot be written' }).optional();

const name = z.string().min(1).max(256);
const names = (max = 256) => z.array(name).max(max);
const description = z.string().max(1024).optional();

/** A bcrypt hash as OpenSearch stores them; the cost is bounded because every login pays it. */
export const BCRYPT_RE = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
const MAX_BCRYPT_COST = 14;
const ARGON2ID_RE = /^\$argon2id\$v=19\$m=\d{1,8},t=\d{1,3},p=1\$[A-Za-z0-9+/]{11,64}\$[A-Za-z0-9+/]{16,128}$/;

/** Why a stored-hash string cannot be accepted, or null. '' (no password) is accepted. */
export function hashProblem(h: string): string | null {
  if (h === '') return null;
  const b = BCRYPT_RE.exec(h);
  if (b) {
    const cost = Number(b[1]);
    return cost >= 4 && cost <= MAX_BCRYPT_COST ? null : `bcrypt cost must be between 4 and ${MAX_BCRYPT_COST}`;
  }
  if (ARGON2ID_RE.test(h)) return null;
  return 'expected a bcrypt hash ($2a$, $2b$ or $2y$) or an Argon2id PHC string ($argon2id$v=19$…,p=1$…)';
}

export function userSchema(files: boolean) {
  return z
    .object({
      password: files ? z.never({ error: 'configuration files carry hashes only' }).optional() : z.string().min(8, 'at least 8 characters').max(1024).optional(),
      hash: z.string().max(1024).superRefine((h, ctx) => {
        const p = hashProblem(h);
        if (p) ctx.addIssue({ code: 'custom', message: p });
      }).optional(),
      opendistro_security_roles: z.array(z.string().refine(isValidName, 'invalid role name')).max(64).optional(),
      roles: z.array(z.string().refine(isValidName, 'invalid role name')).max(64).optional(),
      backend_roles: names(256).optional(),
      attributes: z.record(z.string().max(128), z.string().max(1024)).optional(),
      description,
      reserved: flag(files),
      hidden: flag(files),
      static: staticFlag,
    })
    .strict()
    .superRefine((u, ctx) => {
      if (u.password !== undefined && u.hash !== undefined && u.hash !== '') ctx.addIssue({ code: 'custom', path: ['hash'], message: 'give password or hash, not both' });
      if (u.roles && u.opendistro_security_roles && JSON.stringify(u.roles) !== JSON.stringify(u.opendistro_security_roles)) {
        ctx.addIssue({ code: 'custom', path: ['roles'], message: 'roles is another name for opendistro_security_roles: give one, or both equal' });
      }
    });
}
export type UserInput = z.output<ReturnType<typeof userSchema>>;

const NO_DLS = 'document- and field-level security do not apply to Vigil: it runs searches, it does not serve documents';
const indexPermission = z
  .object({
    index_patterns: z.array(z.string().min(1).max(256)).min(1).max(64),
    allowed_actions: z.array(z.string().min(1).max(256)).max(64),
    clusters: z.array(z.string().regex(/^[A-Za-z0-9_*?-]{1,64}$/, 'a cluster name or pattern')).min(1).max(64).optional(),
    dls: z.literal('', { error: NO_DLS }).optional(),
    fls: z.array(z.never({ error: NO_DLS })).max(0).optional(),
    masked_fields: z.array(z.never({ error: NO_DLS })).max(0).optional(),
  })
  .strict()
  .transform(({ dls: _d, fls: _f, masked_fields: _m, ...rest }) => rest);

const tenantPermission = z
  .object({
    tenant_patterns: z.array(z.string().regex(/^[A-Za-z0-9_*?-]{1,128}$/, 'a tenant name or pattern')).min(1).max(256),
    allowed_actions: z.array(z.string().min(1).max(256)).max(64),
  })
  .strict();

const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'HEAD', '*'] as const;

export function roleSchema(files: boolean) {
  return z
    .object({
      cluster_permissions: z.array(z.string().min(1).max(256)).max(64).default([]),
      index_permissions: z.array(indexPermission).max(64).default([]),
      tenant_permissions: z.array(tenantPermission).max(64).default([]),
      /** Endpoint (a route path or a prefix of one, e.g. `/_signals/watch`) → methods denied to this role. */
      endpoints_disabled: z.record(z.string().regex(/^\/[A-Za-z0-9_/:.-]{0,256}$/, 'an endpoint path starting with /'), z.array(z.enum(METHODS)).max(8)).optional(),
      description,
      reserved: flag(files),
      hidden: flag(files),
      static: staticFlag,
    })
    .strict();
}

export function mappingSchema(files: boolean) {
  return z
    .object({
      users: names().default([]),
      backend_roles: names().default([]),
      and_backend_roles: names().default([]),
      hosts: z.array(z.string().refine(isHostPattern, 'an address, a CIDR or an address pattern such as 10.0.* (host names are not resolved)')).max(256).default([]),
      description,
      reserved: flag(files),
      hidden: flag(files),
      static: staticFlag,
    })
    .strict();
}

export function actionGroupSchema(files: boolean) {
  return z
    .object({
      allowed_actions: z.array(z.string().min(1).max(256)).max(256).default([]),
      // `kibana` is how OpenSearch names the tenant type.
      type: z.enum(['cluster', 'index', 'tenant', 'kibana']).transform((t) => (t === 'kibana' ? 'tenant' : t)).optional(),
      description,
      reserved: flag(files),
      hidden: flag(files),
      static: staticFlag,
    })
    .strict();
}

export function tenantSchema(files: boolean) {
  return z
    .object({
      description,
      run_as_role: z.string().refine(isValidName, 'invalid role name').optional(),
      reserved: flag(files),
      hidden: flag(files),
      static: staticFlag,
    })
    .strict();
}

export const isTenantName = (v: string) => TENANT_NAME_RE.test(v);
