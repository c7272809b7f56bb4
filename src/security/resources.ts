/**
 * REST semantics shared by `internalusers` and `roles` (shaped like the OpenSearch Security REST API):
 * list/get/put/delete, RFC 6902 PATCH on one resource and bulk PATCH on the collection (applied with
 * fast-json-patch, then validated like a PUT), `reserved` (read-only: 403) and `hidden` (404, not
 * listed). Answers are `{status: "OK"|"CREATED"|"NOT_FOUND"|"FORBIDDEN"|"BAD_REQUEST", message}`.
 *
 * Nothing here echoes a request value: error details name paths only, because a body may hold a
 * password (and fast-json-patch's own messages embed the whole operation and document).
 */
import fjp from 'fast-json-patch';
import { z } from 'zod';
import type { ErrorDetail } from '../errors.ts';
import { isValidName } from './roles.ts';

export interface ApiResult {
  code: number;
  body: { status: string; message: string; code?: string; detail?: ErrorDetail } | Record<string, unknown>;
}

/** One kind of security resource, as the REST layer needs it. */
export interface ResourceKind<Input> {
  /** "user" or "role", for messages. */
  label: string;
  /** Every name, hidden ones included. */
  names(): string[];
  flags(name: string): { reserved: boolean; hidden: boolean } | undefined;
  /** The GET view (no secret, no hash). */
  view(name: string): Record<string, unknown>;
  /** Validates a body (strict schema plus cross-checks); returns problems by path instead of throwing. */
  parse(body: unknown): { ok: true; value: Input } | { ok: false; detail: ErrorDetail };
  write(name: string, input: Input, existed: boolean): Promise<void>;
  remove(name: string): void;
}

const ok = (message: string): ApiResult => ({ code: 200, body: { status: 'OK', message } });
const created = (message: string): ApiResult => ({ code: 201, body: { status: 'CREATED', message } });
const notFound = (name: string): ApiResult => ({ code: 404, body: { status: 'NOT_FOUND', message: `'${name}' not found.`, code: 'NOT_FOUND' } });
const readOnly = (name: string): ApiResult => ({ code: 403, body: { status: 'FORBIDDEN', message: `Resource '${name}' is read-only.`, code: 'MISSING_PRIVILEGES' } });
export const badRequest = (message: string, detail?: ErrorDetail): ApiResult => ({
  code: 400,
  body: { status: 'BAD_REQUEST', message, code: 'INVALID_REQUEST', ...(detail ? { detail } : {}) },
});
const invalidName = () => badRequest('Invalid name: it must match [A-Za-z0-9_.@-]{1,128} and not be a reserved word.');

const RESERVED_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);
const pointer = z.string().max(1024).refine((p) => p === '' || p.startsWith('/'), 'a JSON pointer')
  .refine((p) => !p.split('/').some((seg) => RESERVED_SEGMENTS.has(seg.replace(/~1/g, '/').replace(/~0/g, '~'))), 'reserved path segment');
const patchSchema = z
  .array(
    z.object({
      op: z.enum(['add', 'remove', 'replace', 'move', 'copy', 'test']),
      path: pointer,
      from: pointer.optional(),
      value: z.unknown().optional(),
    }).strict(),
  )
  .min(1)
  .max(100);

/** Problems of a zod error by path, without the offending values. */
export function issuesDetail(issues: readonly z.core.$ZodIssue[], prefix = ''): ErrorDetail {
  const detail: ErrorDetail = {};
  for (const i of issues) {
    const path = [prefix, ...i.path.map(String)].filter(Boolean).join('.') || '_';
    const keys = i.code === 'unrecognized_keys' ? `: ${i.keys.join(', ')}` : '';
    (detail[path] ??= []).push({ error: `${i.message}${keys}` });
  }
  return detail;
}

function applyPatch(doc: unknown, body: unknown): { ok: true; value: unknown } | { ok: false; result: ApiResult } {
  const ops = patchSchema.safeParse(body);
  if (!ops.success) return { ok: false, result: badRequest('Invalid JSON Patch (RFC 6902) document.', issuesDetail(ops.error.issues, 'patch')) };
  try {
    return { ok: true, value: fjp.applyPatch(structuredClone(doc), ops.data as fjp.Operation[], true, true, true).newDocument };
  } catch (e) {
    // Only the error's name and index: its message embeds the operation (a password, perhaps).
    const err = e as { name?: string; index?: number };
    const at = typeof err.index === 'number' ? `patch[${err.index}]` : 'patch';
    return { ok: false, result: badRequest(`JSON Patch could not be applied: ${String(err.name ?? 'error')}.`, { [at]: [{ error: String(err.name ?? 'error') }] }) };
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export class ResourceApi<Input> {
  readonly #k: ResourceKind<Input>;

  constructor(kind: ResourceKind<Input>) {
    this.#k = kind;
  }

  /** Every visible resource: `{name: view}`. */
  list(): ApiResult {
    const out: Record<string, unknown> = Object.create(null);
    for (const n of this.#k.names()) if (!this.#k.flags(n)?.hidden) out[n] = this.#k.view(n);
    return { code: 200, body: out };
  }

  get(name: string): ApiResult {
    if (!isValidName(name)) return invalidName();
    const f = this.#k.flags(name);
    if (!f || f.hidden) return notFound(name);
    return { code: 200, body: { [name]: this.#k.view(name) } };
  }

  async put(name: string, body: unknown): Promise<ApiResult> {
    if (!isValidName(name)) return invalidName();
    const f = this.#k.flags(name);
    if (f?.hidden) return notFound(name);
    if (f?.reserved) return readOnly(name);
    const parsed = this.#k.parse(body);
    if (!parsed.ok) return badRequest(`Invalid ${this.#k.label}: see detail.`, parsed.detail);
    await this.#k.write(name, parsed.value, f !== undefined);
    return f ? ok(`'${name}' updated.`) : created(`'${name}' created.`);
  }

  delete(name: string): ApiResult {
    if (!isValidName(name)) return invalidName();
    const f = this.#k.flags(name);
    if (!f || f.hidden) return notFound(name);
    if (f.reserved) return readOnly(name);
    this.#k.remove(name);
    return ok(`'${name}' deleted.`);
  }

  async patch(name: string, body: unknown): Promise<ApiResult> {
    if (!isValidName(name)) return invalidName();
    const f = this.#k.flags(name);
    if (!f || f.hidden) return notFound(name);
    if (f.reserved) return readOnly(name);
    const patched = applyPatch(this.#k.view(name), body);
    if (!patched.ok) return patched.result;
    const parsed = this.#k.parse(patched.value);
    if (!parsed.ok) return badRequest(`Invalid ${this.#k.label} after patching: see detail.`, parsed.detail);
    await this.#k.write(name, parsed.value, true);
    return ok(`'${name}' updated.`);
  }

  /** PATCH on the collection: all changes are checked before any is written. */
  async bulkPatch(body: unknown): Promise<ApiResult> {
    const before = this.list().body as Record<string, unknown>;
    const patched = applyPatch(before, body);
    if (!patched.ok) return patched.result;
    if (!isPlainObject(patched.value)) return badRequest('The patched collection must stay an object.');
    const after = patched.value;
    const writes: Array<{ name: string; input: Input; existed: boolean }> = [];
    const removals: string[] = [];
    const detail: ErrorDetail = {};
    for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
      const inBefore = Object.hasOwn(before, name);
      const inAfter = Object.hasOwn(after, name);
      if (inBefore && inAfter && JSON.stringify(before[name]) === JSON.stringify(after[name])) continue;
      if (!isValidName(name)) return invalidName();
      const f = this.#k.flags(name);
      if (f?.hidden) return notFound(name);
      if (f?.reserved) return readOnly(name);
      if (!inAfter) {
        removals.push(name);
        continue;
      }
      const parsed = this.#k.parse(after[name]);
      if (!parsed.ok) for (const [p, l] of Object.entries(parsed.detail)) detail[`${name}.${p}`] = l;
      else writes.push({ name, input: parsed.value, existed: f !== undefined });
    }
    if (Object.keys(detail).length) return badRequest(`Invalid ${this.#k.label}(s) after patching: see detail.`, detail);
    for (const w of writes) await this.#k.write(w.name, w.input, w.existed);
    for (const r of removals) this.#k.remove(r);
    return ok('Resource updated.');
  }
}
