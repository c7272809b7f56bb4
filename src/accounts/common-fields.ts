/**
 * The fields every account has beside its type's own (`COMMON_ACCOUNT_FIELDS`: `name`, `description`,
 * `enabled`). They are taken off a document before the type's strict schema sees it, checked here, and
 * stored beside the type's fields; an action type never receives them.
 */
import { z } from 'zod';
import { COMMON_ACCOUNT_FIELDS } from '../actions/types.ts';
import { zodDetail } from '../error-detail.ts';
import type { ErrorDetail } from '../errors.ts';
import { nullProto, type Doc } from './store.ts';

/** A single line of at most 256 characters: names show in lists, logs and chat messages. */
const NAME = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'must be a single line without control characters');

/** The fields every account has (`COMMON_ACCOUNT_FIELDS`), all optional. */
export const commonSchema = z.strictObject({
  name: NAME.optional(),
  description: z.string().max(4096).optional(),
  enabled: z.boolean().optional(),
});

export type CommonFields = z.infer<typeof commonSchema>;

/**
 * Removes the common fields from `doc` (in place) and returns them, or what is wrong with them by field
 * (values are not quoted: they sit next to secrets in the same body).
 */
export function takeCommonFields(doc: Doc): { fields: CommonFields; detail: ErrorDetail } {
  const taken = nullProto();
  for (const k of COMMON_ACCOUNT_FIELDS) {
    if (!Object.hasOwn(doc, k)) continue;
    taken[k] = doc[k];
    delete doc[k];
  }
  const parsed = commonSchema.safeParse(taken);
  if (parsed.success) return { fields: parsed.data, detail: nullProto() as ErrorDetail };
  return { fields: {}, detail: zodDetail(parsed.error.issues) };
}

/** Whether a stored account is switched off: only an explicit `enabled: false` is. */
export function isDisabled(stored: Doc): boolean {
  return stored.enabled === false;
}
