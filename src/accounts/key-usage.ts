/**
 * How many sealed fields each key protects, over every account file on disk (registered types or
 * not): what rotation and key retirement decide on. A file that cannot be read counts for nothing (it
 * is noted as unusable by the store).
 */
import { envelopesIn, withoutMeta } from './account-doc.ts';
import type { KeyRing, KeyState } from './keyring.ts';
import { envelopeKid } from './seal.ts';
import { isStoredId, nullProto } from './store.ts';
import type { TrackedStore } from './unusable.ts';

export interface KeyUsage {
  kid: string;
  /** `unknown`: used by stored envelopes but not in the ring (such fields cannot be opened). */
  state: KeyState | 'unknown';
  /** Number of sealed fields under this kid. */
  fields: number;
}

/** The `keyUsage` bucket of envelopes whose kid cannot be read. */
export const MALFORMED = 'malformed';

/** Sealed fields per kid; the ring's kids appear even with 0. */
export async function countKeyUsage(store: TrackedStore, ring: KeyRing): Promise<KeyUsage[]> {
  const counts = new Map<string, number>(ring.list().map((k) => [k.kid, 0]));
  for (const type of await store.listTypes()) {
    for (const id of await store.listIds(type, isStoredId)) {
      for (const env of envelopesIn(withoutMeta((await store.readOrNote(type, id)) ?? nullProto()))) {
        const kid = envelopeKid(env) ?? MALFORMED;
        counts.set(kid, (counts.get(kid) ?? 0) + 1);
      }
    }
  }
  return [...counts].map(([kid, fields]) => ({ kid, fields, state: ring.state(kid) ?? ('unknown' as const) })).sort((a, b) => a.kid.localeCompare(b.kid));
}
