/**
 * Which parts of an account are secret. An action type declares `secretFields` as top-level names
 * (`password`) or dotted paths where `*` matches every key of an object (`headers.*`: every header
 * value is secret). This module finds the concrete secret leaves of a document and implements the PUT
 * rule: an omitted secret keeps its stored value, `null` clears it, a value replaces it.
 */
import { isObject, nullProto, type Doc } from './store.ts';

/** A parsed secretFields entry: path segments, `*` = any key. */
export type SecretPattern = readonly string[];

/** One concrete secret leaf: its path segments and value. */
export interface SecretLeaf {
  path: string[];
  value: unknown;
}

export function compilePatterns(secretFields: readonly string[]): SecretPattern[] {
  return secretFields.map((f) => f.split('.'));
}

/** The field name used in the AAD and in `_secret_updated_at`, e.g. `headers.X-Api-Key`. */
export function fieldName(path: readonly string[]): string {
  return path.join('.');
}

/** Every secret leaf present in `doc` (null leaves included, undefined skipped). */
export function secretLeaves(doc: Doc, patterns: readonly SecretPattern[]): SecretLeaf[] {
  const out: SecretLeaf[] = [];
  const seen = new Set<string>();
  const walk = (node: unknown, pat: SecretPattern, i: number, path: string[]): void => {
    if (i === pat.length) {
      const name = JSON.stringify(path);
      if (node !== undefined && !seen.has(name)) {
        seen.add(name);
        out.push({ path, value: node });
      }
      return;
    }
    if (!isObject(node)) return;
    const seg = pat[i]!;
    const keys = seg === '*' ? Object.keys(node) : Object.hasOwn(node, seg) ? [seg] : [];
    for (const k of keys) walk(node[k], pat, i + 1, [...path, k]);
  };
  for (const p of patterns) walk(doc, p, 0, []);
  return out;
}

export function getPath(doc: Doc, path: readonly string[]): unknown {
  let cur: unknown = doc;
  for (const seg of path) {
    if (!isObject(cur) || !Object.hasOwn(cur, seg)) return undefined;
    cur = cur[seg];
  }
  return cur;
}

/** Sets a value, creating null-prototype containers on the way. Returns false if a non-object blocks the path. */
export function setPath(doc: Doc, path: readonly string[], value: unknown): boolean {
  let cur: Doc = doc;
  for (const seg of path.slice(0, -1)) {
    if (!Object.hasOwn(cur, seg) || cur[seg] === undefined) cur[seg] = nullProto();
    const next = cur[seg];
    if (!isObject(next)) return false;
    cur = next;
  }
  cur[path[path.length - 1]!] = value;
  return true;
}

/** Removes the value at `path`, if there is one (its containers stay). */
export function deletePath(doc: Doc, path: readonly string[]): void {
  const parent = getPath(doc, path.slice(0, -1));
  if (isObject(parent)) delete parent[path[path.length - 1]!];
}

/**
 * What a PUT body says about a stored secret leaf: `absent` (keep it), `cleared` (the leaf or one of its
 * containers is null) or `replaced` (the body gives the leaf, or replaces a container with a non-object).
 */
export function bodyIntent(body: Doc, path: readonly string[]): 'absent' | 'cleared' | 'replaced' {
  let cur: unknown = body;
  for (const seg of path) {
    if (cur === null) return 'cleared';
    if (!isObject(cur)) return 'replaced';
    if (!Object.hasOwn(cur, seg) || cur[seg] === undefined) return 'absent';
    cur = cur[seg];
  }
  return cur === null ? 'cleared' : 'replaced';
}

/**
 * Removes, in place, every `null` found along a secret pattern (the leaf itself, or a container such as
 * `headers: null`): for secrets, null means "clear", and the cleared field is simply not stored.
 */
export function stripSecretNulls(doc: Doc, patterns: readonly SecretPattern[]): void {
  const walk = (node: Doc, pat: SecretPattern, i: number): void => {
    const seg = pat[i]!;
    const keys = seg === '*' ? Object.keys(node) : Object.hasOwn(node, seg) ? [seg] : [];
    for (const k of keys) {
      const v = node[k];
      if (v === null) delete node[k];
      else if (i + 1 < pat.length && isObject(v)) walk(v, pat, i + 1);
    }
  };
  for (const p of patterns) walk(doc, p, 0);
}
