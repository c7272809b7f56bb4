/**
 * Pure helpers over stored account documents: the public view (no secret, no ciphertext), envelope
 * discovery for key usage, schema-error detail without values, and freezing what `resolve` hands out.
 */
import type { ErrorDetail } from '../errors.ts';
import { envelopeKid, isSealed } from './seal.ts';
import { deletePath, secretLeaves, setPath, type SecretPattern } from './secret-paths.ts';
import { isObject, nullProto, toNullProto, type Doc } from './store.ts';

/**
 * Fields of Signals' exported accounts, accepted on every account type: `type` (which must be the type
 * the account is stored under) and `_name` (Signals' copy of the id). The path already says both, so
 * they are checked and dropped, never stored or handed to an action type.
 */
export const SIGNALS_EXPORT_KEYS = ['type', '_name'] as const;

/**
 * Fields of an account document that are about the document, not the account: the Signals export
 * fields and `$schema` (the JSON Schema an editor completes the document from, `vigil schema`).
 */
export const DOCUMENT_KEYS = [...SIGNALS_EXPORT_KEYS, '$schema'] as const;

/** Removes the document fields from `doc` (in place); returns what is wrong with them, by field. */
export function takeDocumentFields(doc: Doc, type: string): ErrorDetail {
  const detail: ErrorDetail = nullProto() as ErrorDetail;
  if (Object.hasOwn(doc, 'type') && doc.type !== type) detail.type = [{ error: `must be "${type}", the account type it is stored under` }];
  for (const k of ['_name', '$schema'] as const) if (Object.hasOwn(doc, k) && typeof doc[k] !== 'string') detail[k] = [{ error: 'must be a string' }];
  for (const k of DOCUMENT_KEYS) delete doc[k];
  return detail;
}

/** Bookkeeping keys of a stored file; never part of the account itself. */
export const META_KEYS = ['_internal_id', '_created_at', '_updated_at', '_secret_updated_at'] as const;

/** What GET shows for a secret: that it is set, under which key and since when. */
export interface SecretStatus {
  set: true;
  kid: string | null;
  updated_at: string | null;
}

/** The account without its bookkeeping keys (a deep null-prototype copy). */
export function withoutMeta(stored: Doc): Doc {
  const out = toNullProto(stored);
  for (const k of META_KEYS) delete out[k];
  return out;
}

/** The account without its bookkeeping keys and without its secrets (sealed or not): what may be shown or edited. */
export function withoutSecrets(stored: Doc, patterns: readonly SecretPattern[]): Doc {
  const out = withoutMeta(stored);
  for (const leaf of secretLeaves(out, patterns)) deletePath(out, leaf.path);
  return out;
}

/**
 * The account as GET returns it: non-secret fields in clear, each secret replaced by its status. Any
 * other string that looks like an envelope (say a field that stopped being secret) is masked the same
 * way, so no ciphertext ever leaves through this view.
 */
export function publicView(stored: Doc, patterns: readonly SecretPattern[]): Doc {
  const view = withoutMeta(stored);
  const updated = isObject(stored._secret_updated_at) ? stored._secret_updated_at : nullProto();
  const fallback = typeof stored._updated_at === 'string' ? stored._updated_at : null;
  for (const leaf of secretLeaves(view, patterns)) {
    const name = leaf.path.join('.');
    const at = typeof updated[name] === 'string' ? (updated[name] as string) : fallback;
    setPath(view, leaf.path, status(leaf.value, at));
  }
  return maskEnvelopes(view, fallback) as Doc;
}

function status(value: unknown, at: string | null): SecretStatus {
  return { set: true, kid: typeof value === 'string' ? (envelopeKid(value) ?? null) : null, updated_at: at };
}

function maskEnvelopes(node: unknown, at: string | null): unknown {
  if (isSealed(node)) return status(node, at);
  if (Array.isArray(node)) return node.map((v) => maskEnvelopes(v, at));
  if (!isObject(node)) return node;
  const out = nullProto();
  for (const k of Object.keys(node)) out[k] = maskEnvelopes(node[k], at);
  return out;
}

/** Every envelope string anywhere in a document. */
export function envelopesIn(node: unknown, out: string[] = []): string[] {
  if (isSealed(node)) out.push(node);
  else if (Array.isArray(node)) for (const v of node) envelopesIn(v, out);
  else if (isObject(node)) for (const k of Object.keys(node)) envelopesIn(node[k], out);
  return out;
}

/** Every string leaf of a value (to feed a redactor with a decrypted secret, whatever its shape). */
export function stringsIn(node: unknown, out: string[] = []): string[] {
  if (typeof node === 'string') out.push(node);
  else if (Array.isArray(node)) for (const v of node) stringsIn(v, out);
  else if (isObject(node)) for (const k of Object.keys(node)) stringsIn(node[k], out);
  return out;
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
