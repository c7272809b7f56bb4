/** What a migration did (or, in a dry run, would do), per kind of data. */

export interface KindCount {
  /** Copied to the target (in a dry run: would be). */
  copied: number;
  /** Already in the target (by id or key): left as the target has it. */
  present: number;
  /** In the target with other content (a watch defined differently there): left alone, reported. */
  differ: number;
  /** In the source but not copyable (an unreadable watch file or account document). */
  skipped: number;
}

export const KINDS = [
  'users', 'roles', 'rolesmapping', 'actiongroups', 'tenants', 'tokens', 'secrets', 'security_config', 'audit',
  'watches', 'watch_state', 'outbox', 'log', 'accounts', 'key_check',
] as const;

export type Kind = (typeof KINDS)[number];

export type Counts = Record<Kind, KindCount>;

export function emptyCounts(): Counts {
  return Object.fromEntries(KINDS.map((k) => [k, { copied: 0, present: 0, differ: 0, skipped: 0 }])) as Counts;
}

/**
 * Copies one item unless the target has it: `has` decides, `copy` runs only when it does not and
 * this is not a dry run. Returns whether it was (or would be) copied.
 */
export async function copyOne(c: KindCount, dryRun: boolean, has: () => Promise<boolean>, copy: () => Promise<unknown>): Promise<boolean> {
  if (await has()) {
    c.present++;
    return false;
  }
  if (!dryRun) await copy();
  c.copied++;
  return true;
}
