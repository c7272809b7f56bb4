/**
 * Account search (`GET|POST /_signals/account/_search`): usable accounts matching a type and an id
 * prefix, paged, in their public view; and apart from them the matching accounts whose files cannot be
 * used, so a bad file is named rather than silently missing (or failing the whole search).
 */
import { VigilError } from '../errors.ts';
import { publicView } from './account-doc.ts';
import type { SecretPattern } from './secret-paths.ts';
import { assertValidId, type Doc } from './store.ts';
import type { TrackedStore, UnusableAccount } from './unusable.ts';

/** An account as GET shows it: secrets appear only as `SecretStatus`. */
export interface PublicAccount {
  type: string;
  id: string;
  /** When the account was first written (its last update for files older than this field). */
  created_at: string | null;
  updated_at: string | null;
  account: Record<string, unknown>;
}

export interface AccountSearchQuery {
  type?: string;
  idPrefix?: string;
  /** Default 0. */
  from?: number;
  /** Default 10, at most 1000. */
  size?: number;
}

export interface AccountSearchResult {
  /** Usable accounts matching the query. */
  total: number;
  hits: PublicAccount[];
  /** Matching accounts whose files cannot be used (type, id and reason only). */
  unusable: UnusableAccount[];
}

export function toPublic(type: string, id: string, stored: Doc, patterns: readonly SecretPattern[]): PublicAccount {
  const updated = typeof stored._updated_at === 'string' ? stored._updated_at : null;
  const created = typeof stored._created_at === 'string' ? stored._created_at : updated;
  return { type, id, created_at: created, updated_at: updated, account: publicView(stored, patterns) };
}

/** Searches `accounts` (every account of the registered types, sorted) as stored in `store`. */
export async function searchAccounts(
  q: AccountSearchQuery,
  accounts: ReadonlyArray<{ type: string; id: string }>,
  store: TrackedStore,
  patternsOf: (type: string) => readonly SecretPattern[],
): Promise<AccountSearchResult> {
  const from = q.from ?? 0;
  const size = q.size ?? 10;
  if (!Number.isSafeInteger(from) || from < 0 || !Number.isSafeInteger(size) || size < 0 || size > 1000) {
    throw new VigilError('INVALID_REQUEST', 'from must be ≥ 0 and size between 0 and 1000');
  }
  if (q.type !== undefined) assertValidId('type', q.type);
  if (q.idPrefix !== undefined && q.idPrefix !== '') assertValidId('id', q.idPrefix);
  const matches = (a: { type: string; id: string }) => (q.type === undefined || a.type === q.type) && a.id.startsWith(q.idPrefix ?? '');
  const types = new Set(accounts.map((a) => a.type));
  const usable = accounts.filter((a) => matches(a) && !store.unusable.has(a.type, a.id));
  const hits: PublicAccount[] = [];
  let total = usable.length;
  for (const a of usable.slice(from, from + size)) {
    // A file that went bad since start is noted (and logged) here, and left out of the page.
    const stored = await store.readOrNote(a.type, a.id);
    if (stored) hits.push(toPublic(a.type, a.id, stored, patternsOf(a.type)));
    else total--;
  }
  return { total, hits, unusable: store.unusable.list().filter((u) => types.has(u.type) && matches(u)) };
}
