/**
 * The security index's documents: `{kind, name, body}` under the id `<kind>:<name>` (plus `user`,
 * `kid` and `created_at` where the store searches or sorts by them), and the checks a record passes
 * before any of it is written: a malformed record fails the whole batch with the path of the field.
 */
import { z } from 'zod';
import { VigilError, type ErrorDetail } from '../../../errors.ts';
import type { SecurityChange, TokenRecord, UserRecord } from '../../security-types.ts';

export interface SecuritySource<B = unknown> {
  kind: string;
  name: string;
  user?: string;
  kid?: string;
  created_at?: number;
  body: B;
}

export const securityDocId = (kind: string, name: string): string => `${kind}:${encodeURIComponent(name)}`;

const strings = z.array(z.string());
const userSchema = z
  .object({
    name: z.string().min(1),
    hash: z.string(),
    roles: strings,
    backendRoles: strings,
    attributes: z.record(z.string(), z.string()),
    description: z.string().optional(),
    reserved: z.boolean(),
    hidden: z.boolean(),
    updatedAt: z.number(),
  })
  .strict();

function fail(what: string, base: string, issues: z.core.$ZodIssue[]): never {
  const detail: ErrorDetail = {};
  for (const i of issues) (detail[[base, ...i.path.map(String)].join('.')] ??= []).push({ error: i.message });
  throw new VigilError('INVALID_REQUEST', `invalid ${what}: ${Object.keys(detail).join(', ')}`, detail);
}

/** Every change checked before the first is written. */
export function validateChanges(changes: SecurityChange[]): void {
  for (const [i, c] of changes.entries()) {
    if (c.value === null) continue;
    if (c.kind === 'users') {
      const r = userSchema.safeParse(c.value);
      if (!r.success) fail(`user [${c.name}]`, `changes[${i}].value`, r.error.issues);
      if (c.value.name !== c.name) fail(`user [${c.name}]`, `changes[${i}].value`, [{ code: 'custom', path: ['name'], message: 'differs from the change name', input: c.value.name } as never]);
    } else if (typeof c.value !== 'object' || Array.isArray(c.value)) {
      throw new VigilError('INVALID_REQUEST', `invalid ${c.kind} [${c.name}]: not an object`, { [`changes[${i}].value`]: [{ error: 'not an object' }] });
    }
  }
}

export function userSource(u: UserRecord): SecuritySource<UserRecord> {
  return { kind: 'users', name: u.name, body: u };
}

/** A token as stored: the hash as hex (JSON has no bytes). */
export interface StoredToken extends Omit<TokenRecord, 'hash'> {
  hash: string;
}

export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export function fromStoredToken(t: StoredToken): TokenRecord {
  return { ...t, hash: new Uint8Array(Buffer.from(t.hash, 'hex')) };
}
