/**
 * The WatchRepository seam: where watch definitions are kept, read and changed. The daemon keeps them as
 * files (file-repository.ts); the interface says nothing about files so that a repository kept in a
 * cluster index, shared by several daemons, can implement it too.
 */
import { hash } from 'node:crypto';
import { VigilError } from '../errors.ts';
import { ID_PATTERN } from './schema.ts';
import type { SavedBy } from './run-as.ts';

/** The tenant of a watch that names none (Signals' default tenant). */
export const DEFAULT_TENANT = '_main';

/** Names one watch: its tenant and its id (both `[A-Za-z0-9_-]{1,128}`). */
export interface WatchRef {
  readonly tenant: string;
  readonly id: string;
}

/** A watch definition as the repository holds it. */
export interface WatchSource {
  readonly ref: WatchRef;
  /** Where it is kept, for messages: a file path, or a document of an index. */
  readonly location: string;
  /**
   * The definition's JSON text, as stored (it may not parse: the loader reports that), with who saved it
   * through the API, if anyone, under `_vigil.saved_by` (run-as.ts).
   */
  readonly text: string;
  /** A hash of `text` (`sourceVersion`): the same text has the same version, and any change of the text changes it. */
  readonly version: string;
  /** Who wrote this version, where the repository records it (the daemon or tool that stored it in a cluster). */
  readonly writtenBy?: string;
}

/**
 * One watch read from the repository. `missing`: there is no such watch (a deleted file, say);
 * `unreadable`: there is one, but it cannot be read (`problem` says why, e.g. `cannot read file: EACCES`).
 */
export type WatchRead =
  | { readonly status: 'found'; readonly ref: WatchRef; readonly source: WatchSource }
  | { readonly status: 'missing'; readonly ref: WatchRef; readonly location: string }
  | { readonly status: 'unreadable'; readonly ref: WatchRef; readonly location: string; readonly problem: string };

/** Something kept where watches are that names no watch (a file whose name is not a valid id). */
export interface Misnamed {
  readonly status: 'misnamed';
  readonly location: string;
  readonly problem: string;
}

/** A change the feed reports: the watch may have been created, changed or deleted (read it to know). */
export type WatchChange = { readonly status: 'changed'; readonly ref: WatchRef; readonly location: string } | Misnamed;

/**
 * Where watch definitions live. Every method is async (a cluster-backed repository answers over the
 * network); none throws for what a user put in the repository, only for bad refs and failing I/O.
 */
export interface WatchRepository {
  /** Every watch kept (each `found`, or `unreadable`; one removed while listing may read `missing`) and every misnamed entry. */
  list(): Promise<Array<WatchRead | Misnamed>>;
  /** One watch. Throws INVALID_ID for a ref outside the id rules. */
  get(ref: WatchRef): Promise<WatchRead>;
  /**
   * Stores a definition (created or replaced as a whole) and who saved it (`savedBy`, for a save through
   * the API; the watch then runs as them), and returns it as it is now kept. Throws INVALID_ID for a bad ref.
   */
  put(ref: WatchRef, definition: Record<string, unknown>, savedBy?: SavedBy | null): Promise<WatchSource>;
  /** Removes a watch; false when there was none. Throws INVALID_ID for a bad ref. */
  delete(ref: WatchRef): Promise<boolean>;
  /**
   * Reports changes made by others (an editor, another daemon) from now on until `close()`. A change is
   * reported at least once, possibly more than once, and possibly for a ref that did not change.
   */
  watch(onChange: (change: WatchChange) => void): { close(): void };
  /** Where a watch is (or would be) kept, for messages. */
  locate(ref: WatchRef): string;
}

/** The map key of a watch: `tenant/id` (the scheduler's entry id too). */
export function watchKey(ref: WatchRef): string {
  return `${ref.tenant}/${ref.id}`;
}

/** Throws INVALID_ID unless the tenant name is `[A-Za-z0-9_-]{1,128}`. */
export function assertTenant(tenant: string): void {
  if (!ID_PATTERN.test(tenant)) throw new VigilError('INVALID_ID', 'invalid tenant: tenant names are [A-Za-z0-9_-]{1,128}');
}

/** Throws INVALID_ID unless tenant and id are `[A-Za-z0-9_-]{1,128}`: a ref that passes cannot leave its folder or index. */
export function assertWatchRef(ref: WatchRef): void {
  assertTenant(ref.tenant);
  if (!ID_PATTERN.test(ref.id)) throw new VigilError('INVALID_ID', 'invalid watch id: watch ids are [A-Za-z0-9_-]{1,128}');
}

/** The version of a definition's text: the same for equal texts, wherever they are kept. */
export function sourceVersion(text: string): string {
  return hash('sha256', text, 'hex').slice(0, 16);
}
