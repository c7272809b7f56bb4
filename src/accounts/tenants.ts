/**
 * The tenants that may use an account. Every account type takes `tenants` (tenant names) beside its own
 * fields; an account without it may be used by every tenant, as before accounts named tenants. It is
 * kept in clear in the account file and shown by GET, never handed to the action type.
 */
import { z } from 'zod';
import { VigilError, type ErrorDetail } from '../errors.ts';
import { zodDetail } from '../error-detail.ts';
import { nullProto, type Doc } from './store.ts';

export const TENANTS_FIELD = 'tenants';

/** The `tenants` field: tenant names. */
export const tenantsSchema = z.array(z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'a tenant name ([A-Za-z0-9_-]{1,128})')).max(1024);

/**
 * Removes `tenants` from `doc` (in place). Returns the list (undefined when the account names none: every
 * tenant) and what is wrong with it, by field.
 */
export function takeTenants(doc: Doc): { tenants: string[] | undefined; detail: ErrorDetail } {
  if (!Object.hasOwn(doc, TENANTS_FIELD)) return { tenants: undefined, detail: nullProto() as ErrorDetail };
  const value = doc[TENANTS_FIELD];
  delete doc[TENANTS_FIELD];
  const parsed = tenantsSchema.safeParse(value);
  if (!parsed.success) return { tenants: undefined, detail: zodDetail(parsed.error.issues, { prefix: [TENANTS_FIELD] }) };
  return { tenants: [...new Set(parsed.data)], detail: nullProto() as ErrorDetail };
}

/** Whether a watch of `tenant` may use an account naming `tenants` (undefined: every tenant may). */
export function usableBy(tenants: readonly string[] | undefined, tenant: string): boolean {
  return tenants === undefined || tenants.includes(tenant);
}

/**
 * Removes `tenants` from a stored account (in place) and throws unless a watch of `tenant` may use it:
 * MISSING_PRIVILEGES for a tenant it does not name, CONFIG_INVALID for a hand-edited list that does not
 * parse (it names no tenant for sure, so nobody may use the account). Without `tenant` (not a watch's
 * use, such as the account test) only the list is removed.
 */
export function takeTenantsFor(account: Doc, where: { type: string; id: string }, tenant: string | undefined): void {
  const { tenants, detail } = takeTenants(account);
  if (Object.keys(detail).length) throw new VigilError('CONFIG_INVALID', `stored account ${where.type}/${where.id} has an invalid tenants list`, detail);
  if (tenant !== undefined && !usableBy(tenants, tenant)) {
    const named = tenants!.length ? tenants!.join(', ') : '(none)';
    throw new VigilError('MISSING_PRIVILEGES', `account ${where.type}/${where.id} may be used only by tenants ${named}, not by tenant '${tenant}'`);
  }
}
