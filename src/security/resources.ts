/**
 * REST semantics shared by every kind of security resource (shaped like the OpenSearch Security REST
 * API): list/get/put/delete, RFC 6902 PATCH on one resource and bulk PATCH on the collection (every
 * operation, `move`, `copy` and `test` included, applied to a copy and validated like a PUT before
 * anything is written: all or nothing), `reserved` (read-only: 403) and `hidden` (404, not listed).
 * Answers are `{status: "OK"|"CREATED"|"NOT_FOUND"|"FORBIDDEN"|"BAD_REQUEST", message}`.
 *
 * Nothing here echoes a request value: error details name paths only, because a body may hold a
 * password (and fast-json-patch's own messages embed the whole operation and document).
 */
import fjp from 'fast-json-patch';
import { zodDetail } from '../error-detail.ts';
import { z } from 'zod';
import type { ErrorDetail } from '../errors.ts';
import type { SecurityChange } from '../state/security-types.ts';
import type { SecurityDirectory } from './directory.ts';
import { isValidName } from './roles.ts';

export interface ApiResult {
  code: number;
  body: Record<string, unknown>;
}

export type Prepared = { ok: true; changes: SecurityChange[] } | { ok: false; detail: ErrorDetail } | { ok: false; result: ApiResult };

/** One kind of security resource, as the REST layer needs it. */
export interface ResourceKind {
  /** "user", "role", … for messages. */
  label: string;
  /** The zod schema a PUT body is validated with (before the checks across resources). */
  body: z.ZodType;
  /** Whether `name` is a valid name for this kind. Default: `[A-Za-z0-9_.@-]{1,128}`. */
  validName?(name: string): boolean;
  /** Every name, hidden and built-in ones included. */
  names(): string[];
  flags(name: string): { reserved: boolean; hidden: boolean } | undefined;
  /** The GET view (no secret, no hash). */
  view(name: string): Record<string, unknown>;
  /**
   * Validates `body` as the new value of `name` and returns the changes that write it. `after` is the
   * whole collection as it will be (views), for checks across resources (action groups nesting).
   */
  prepare(name: string, body: unknown, ctx: { existed: boolean; after: Record<string, unknown> }): Promise<Prepared>;
  /** The changes that remove `name`, or why it cannot be removed. */
  remove(name: string): Promise<Prepared>;
  /** Runs after the changes are written (side effects such as a tenant's folder). */
  after?(changes: SecurityChange[]): Promise<void>;
}

const ok = (message: string): ApiResult => ({ code: 200, body: { status: 'OK', message } });
const created = (message: string): ApiResult => ({ code: 201, body: { status: 'CREATED', message } });
export const notFound = (name: string): ApiResult => ({ code: 404, body: { status: 'NOT_FOUND', message: `'${name}' not found.`, code: 'NOT_FOUND' } });
export const readOnly = (name: string): ApiResult => ({ code: 403, body: { status: 'FORBIDDEN', message: `Resource '${name}' is read-only.`, code: 'MISSING_PRIVILEGES' } });
export const badRequest = (message: string, detail?: ErrorDetail): ApiResult => ({
  code: 400,
  body: { status: 'BAD_REQUEST', reason: message, message, code: 'INVALID_REQUEST', ...(detail ? { detail } : {}) },
});
const invalidName = () => badRequest('Invalid name: it must match [A-Za-z0-9_.@-]{1,128} and not be a reserved word.');

const RESERVED_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);
const pointer = z.string().max(1024).refine((p) => p === '' || p.startsWith('/'), 'a JSON pointer')
  .refine((p) => !p.split('/').some((seg) => RESERVED_SEGMENTS.has(seg.replace(/~1/g, '/').replace(/~0/g, '~'))), 'reserved path segment');
/** An RFC 6902 JSON Patch document, as PATCH takes it. */
export const patchSchema = z
  .array(
    z.object({
      op: z.enum(['add', 'remove', 'replace', 'move', 'copy', 'test']),
      path: pointer,
      from: pointer.optional(),
      value: z.unknown().optional(),
    }).strict().superRefine((o, ctx) => {
      if ((o.op === 'move' || o.op === 'copy') && o.from === undefined) ctx.addIssue({ code: 'custom', path: ['from'], message: `${o.op} needs from` });
      if ((o.op === 'add' || o.op === 'replace' || o.op === 'test') && !('value' in o)) ctx.addIssue({ code: 'custom', path: ['value'], message: `${o.op} needs value` });
    }),
  )
  .min(1)
  .max(100);

/** Applies an RFC 6902 patch to a copy of `doc`; the original is never touched. */
export function applyPatch(doc: unknown, body: unknown): { ok: true; value: unknown } | { ok: false; result: ApiResult } {
  const ops = patchSchema.safeParse(body);
  if (!ops.success) return { ok: false, result: badRequest('Invalid JSON Patch (RFC 6902) document.', zodDetail(ops.error.issues, { style: 'dotted', prefix: ['patch'] })) };
  try {
    return { ok: true, value: fjp.applyPatch(structuredClone(doc), ops.data as fjp.Operation[], true, true, true).newDocument };
  } catch (e) {
    // Only the error's name and index: its message embeds the operation (a password, perhaps).
    const err = e as { name?: string; index?: number };
    const at = typeof err.index === 'number' ? `patch.${err.index}` : 'patch';
    const why = String(err.name ?? 'error');
    return { ok: false, result: badRequest(`JSON Patch could not be applied: ${why === 'TEST_OPERATION_FAILED' ? 'a test operation failed' : why}.`, { [at]: [{ error: why }] }) };
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function failed(p: Exclude<Prepared, { ok: true }>, label: string, prefix = ''): ApiResult {
  if ('result' in p) return p.result;
  const detail: ErrorDetail = {};
  for (const [k, v] of Object.entries(p.detail)) detail[prefix ? `${prefix}.${k}` : k] = v;
  return badRequest(`Invalid ${label}: see detail.`, detail);
}

export class ResourceApi {
  readonly #k: ResourceKind;
  readonly #dir: SecurityDirectory;

  constructor(kind: ResourceKind, directory: SecurityDirectory) {
    this.#k = kind;
    this.#dir = directory;
  }

  #valid(name: string): boolean {
    return this.#k.validName ? this.#k.validName(name) : isValidName(name);
  }

  /** Every visible resource: `{name: view}`. */
  list(): ApiResult {
    return { code: 200, body: this.#views() };
  }

  #views(): Record<string, unknown> {
    const out: Record<string, unknown> = Object.create(null);
    for (const n of this.#k.names()) if (!this.#k.flags(n)?.hidden) out[n] = this.#k.view(n);
    return out;
  }

  get(name: string): ApiResult {
    if (!this.#valid(name)) return invalidName();
    const f = this.#k.flags(name);
    if (!f || f.hidden) return notFound(name);
    return { code: 200, body: { [name]: this.#k.view(name) } };
  }

  put(name: string, body: unknown): Promise<ApiResult> {
    return this.#run(async () => {
      if (!this.#valid(name)) return { result: invalidName() };
      const f = this.#k.flags(name);
      if (f?.hidden) return { result: notFound(name) };
      if (f?.reserved) return { result: readOnly(name) };
      const p = await this.#k.prepare(name, body, { existed: f !== undefined, after: { ...this.#views(), [name]: body } });
      if (!p.ok) return { result: failed(p, this.#k.label) };
      return { changes: p.changes, result: f ? ok(`'${name}' updated.`) : created(`'${name}' created.`) };
    });
  }

  delete(name: string): Promise<ApiResult> {
    return this.#run(async () => {
      if (!this.#valid(name)) return { result: invalidName() };
      const f = this.#k.flags(name);
      if (!f || f.hidden) return { result: notFound(name) };
      if (f.reserved) return { result: readOnly(name) };
      const p = await this.#k.remove(name);
      if (!p.ok) return { result: failed(p, this.#k.label) };
      return { changes: p.changes, result: ok(`'${name}' deleted.`) };
    });
  }

  patch(name: string, body: unknown): Promise<ApiResult> {
    return this.#run(async () => {
      if (!this.#valid(name)) return { result: invalidName() };
      const f = this.#k.flags(name);
      if (!f || f.hidden) return { result: notFound(name) };
      if (f.reserved) return { result: readOnly(name) };
      const patched = applyPatch(this.#k.view(name), body);
      if (!patched.ok) return { result: patched.result };
      const p = await this.#k.prepare(name, patched.value, { existed: true, after: { ...this.#views(), [name]: patched.value } });
      if (!p.ok) return { result: failed(p, `${this.#k.label} after patching`) };
      return { changes: p.changes, result: ok(`'${name}' updated.`) };
    });
  }

  /** PATCH on the collection: every change is checked before any is written. */
  bulkPatch(body: unknown): Promise<ApiResult> {
    return this.#run(async () => {
      const before = this.#views();
      const patched = applyPatch(before, body);
      if (!patched.ok) return { result: patched.result };
      if (!isPlainObject(patched.value)) return { result: badRequest('The patched collection must stay an object.') };
      const after = patched.value;
      const changes: SecurityChange[] = [];
      const detail: ErrorDetail = {};
      for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
        const inBefore = Object.hasOwn(before, name);
        const inAfter = Object.hasOwn(after, name);
        if (inBefore && inAfter && JSON.stringify(before[name]) === JSON.stringify(after[name])) continue;
        if (!this.#valid(name)) return { result: invalidName() };
        const f = this.#k.flags(name);
        if (f?.hidden) return { result: notFound(name) };
        if (f?.reserved) return { result: readOnly(name) };
        const p = inAfter ? await this.#k.prepare(name, after[name], { existed: f !== undefined, after }) : await this.#k.remove(name);
        if (p.ok) changes.push(...p.changes);
        else if ('result' in p) return { result: p.result };
        else for (const [k, v] of Object.entries(p.detail)) detail[`${name}.${k}`] = v;
      }
      if (Object.keys(detail).length) return { result: badRequest(`Invalid ${this.#k.label}(s) after patching: see detail.`, detail) };
      return { changes, result: ok('Resource updated.') };
    });
  }

  async #run(fn: () => Promise<{ changes?: SecurityChange[]; result: ApiResult }>): Promise<ApiResult> {
    let written: SecurityChange[] = [];
    const result = await this.#dir.change(async () => {
      const r = await fn();
      written = r.changes ?? [];
      return { changes: written, result: r.result };
    });
    if (written.length && this.#k.after) await this.#k.after(written);
    return result;
  }
}
