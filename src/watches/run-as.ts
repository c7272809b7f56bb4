/**
 * Who a watch runs as. Signals runs a watch with the privileges of the user who last saved it; Vigil
 * does the same for a watch saved through the REST API, whose saver is recorded with the watch (under
 * `_vigil.saved_by`, a field Vigil owns), and runs a watch nobody saved through the API (a file put in
 * the watches folder) as its tenant's `run_as_role`. What those roles allow is the security module's
 * business: it implements `RunAsResolver`, and the layers here only ask.
 */
import { z } from 'zod';
import type { IndexAccess } from '../checks/types.ts';
import type { ErrorDetail } from '../errors.ts';
import { zodDetail } from '../error-detail.ts';

/** The top-level field of a watch document that Vigil owns: never accepted from an API client, never shown in `_source`. */
export const VIGIL_FIELD = '_vigil';

/** Who saved a watch through the REST API: their name, and their effective and backend roles then. */
export interface SavedBy {
  user: string;
  roles: string[];
  backend_roles: string[];
}

const names = z.array(z.string().min(1).max(256)).max(256);

const vigilFieldSchema = z
  .object({
    saved_by: z.object({ user: z.string().min(1).max(256), roles: names, backend_roles: names.default([]) }).strict().optional(),
  })
  .strict();

/**
 * Says who a watch runs as, from the security configuration as it is at the time of the question (a
 * changed role applies to the next search, without the watch being saved again).
 */
export interface RunAsResolver {
  /**
   * The watch's identity: the roles recorded for the user who saved it (`savedBy`), looked up in the
   * current role definitions; without a saver, its tenant's `run_as_role`.
   */
  forWatch(w: { readonly tenant: string; readonly savedBy: SavedBy | null }): IndexAccess;
}

/**
 * Splits a watch document into the watch definition and what Vigil recorded with it (`_vigil`, checked
 * strictly: problems are reported under `_vigil.…`). A document that is not an object is returned as it is.
 */
export function takeVigilField(raw: unknown): { definition: unknown; savedBy: SavedBy | null; detail: ErrorDetail | null } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || !Object.hasOwn(raw, VIGIL_FIELD)) return { definition: raw, savedBy: null, detail: null };
  const { [VIGIL_FIELD]: vigil, ...definition } = raw as Record<string, unknown>;
  const parsed = vigilFieldSchema.safeParse(vigil);
  if (!parsed.success) return { definition, savedBy: null, detail: zodDetail(parsed.error.issues, { prefix: [VIGIL_FIELD] }) };
  return { definition, savedBy: parsed.data.saved_by ?? null, detail: null };
}

/** `definition` with the saver recorded under `_vigil.saved_by` (the document a repository keeps). */
export function withSavedBy(definition: Record<string, unknown>, savedBy: SavedBy): Record<string, unknown> {
  return { ...definition, [VIGIL_FIELD]: { saved_by: savedBy } };
}
