/**
 * What a PUT writes: the stored document built from a request body and the account as stored. The body
 * is checked (reserved keys, the Signals export fields, the common fields, the type's schema), secrets
 * it leaves out are kept as they are sealed, new ones are sealed, and the bookkeeping keys are set.
 * Problems are reported by field without quoting a secret of the body.
 */
import { VigilError } from '../errors.ts';
import { zodDetail } from '../error-detail.ts';
import type { AccountTypeSpec } from './account-types.ts';
import { stringsIn, takeSignalsFields, withoutMeta } from './account-doc.ts';
import { takeCommonFields } from './common-fields.ts';
import type { KeyRing } from './keyring.ts';
import { createRedactor } from './redact.ts';
import { seal } from './seal.ts';
import { bodyIntent, fieldName, secretLeaves, setPath, stripSecretNulls, type SecretLeaf } from './secret-paths.ts';
import { findReservedKey, isObject, nullProto, toNullProto, type Doc } from './store.ts';

export interface ComposeInput {
  type: string;
  spec: AccountTypeSpec;
  /** The account as stored, or undefined for a new one (or one whose file cannot be used). */
  stored: Doc | undefined;
  internalId: string;
  body: unknown;
  /** ISO time of this write. */
  now: string;
  keyring: KeyRing;
  /** Opens a stored secret leaf (its JSON value); throws ACCOUNT_DECRYPT_FAILED. */
  openLeaf(leaf: SecretLeaf): unknown;
}

/** The document to store; throws INVALID_REQUEST with the problems by field. */
export function composeDoc(i: ComposeInput): Doc {
  const { type, spec, stored, internalId, body, now } = i;
  if (!isObject(body)) throw new VigilError('INVALID_REQUEST', 'an account must be a JSON object');
  const reserved = findReservedKey(body);
  if (reserved) throw new VigilError('INVALID_REQUEST', 'Account is invalid: 1 errors; see detail.', { [reserved]: [{ error: 'reserved key name' }] });
  const candidate = toNullProto(body);
  const problems = takeSignalsFields(candidate, type);
  const common = takeCommonFields(candidate);
  Object.assign(problems, common.detail);
  stripSecretNulls(candidate, spec.patterns);
  const kept = new Map<string, string>();
  for (const leaf of stored ? secretLeaves(stored, spec.patterns) : []) {
    if (typeof leaf.value !== 'string' || bodyIntent(body, leaf.path) !== 'absent') continue;
    if (setPath(candidate, leaf.path, i.openLeaf(leaf))) kept.set(fieldName(leaf.path), leaf.value);
  }
  const secrets = secretLeaves(candidate, spec.patterns);
  const parsed = spec.schema.safeParse(candidate);
  if (!parsed.success || Object.keys(problems).length > 0) {
    const scrub = createRedactor({ minLength: 1 });
    for (const s of secrets) for (const str of stringsIn(s.value)) scrub.add(str);
    const detail = { ...problems, ...(parsed.success ? {} : zodDetail(parsed.error.issues, { scrub: (m) => scrub.scrub(m) })) };
    throw new VigilError('INVALID_REQUEST', `Account is invalid: ${Object.keys(detail).length} errors; see detail.`, detail);
  }
  const prevUpdated = stored && isObject(stored._secret_updated_at) ? stored._secret_updated_at : nullProto();
  const secretUpdated = nullProto();
  for (const leaf of secrets) {
    const field = fieldName(leaf.path);
    const keep = kept.get(field);
    secretUpdated[field] = keep ? (prevUpdated[field] ?? stored?._updated_at ?? now) : now;
    setPath(candidate, leaf.path, keep ?? seal(i.keyring, JSON.stringify(leaf.value), { type, internalId, field }));
  }
  const doc = nullProto();
  doc._internal_id = internalId;
  doc._created_at = stored ? createdAtOf(stored) : now;
  doc._updated_at = now;
  doc._secret_updated_at = secretUpdated;
  for (const [k, v] of Object.entries(common.fields)) doc[k] = v;
  for (const [k, v] of Object.entries(withoutMeta(candidate))) doc[k] = v;
  return doc;
}

/** When the account was created; files written before the field existed give their last update. */
function createdAtOf(stored: Doc): string | undefined {
  const v = stored._created_at ?? stored._updated_at;
  return typeof v === 'string' ? v : undefined;
}
