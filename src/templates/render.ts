/**
 * Renders a token tree produced by mustache.js's parser.
 *
 * Parsing (tags, sections, delimiters, standalone-line rules) is mustache.js's; rendering is ours,
 * because mustache.js's renderer does three things we cannot allow or need to change:
 * - its lookup uses `in`, so inherited members resolve (`{{data.constructor}}`), and it *calls* any
 *   function it finds — with a section's text as the argument for `{{#fn}}…{{/fn}}`, which on
 *   `data.constructor.constructor` reaches `Function`. Views here are plain JSON: we only follow own
 *   properties and never call anything;
 * - it cannot report which variables were missing (SPEC §1.4: they go to the watch log);
 * - its `{{{x}}}` path bypasses the escape hook, which json mode must not allow (see escape.ts).
 * The section semantics below are mustache.js's own, so templates render the same as with Mustache.render.
 */
import type { Escaper } from './escape.ts';
import { valueText } from './escape.ts';

/** A mustache.js token: `[type, value, start, end, children?, closeStart?]`. */
export type Token = [string, string, number, number, Token[]?, number?];

/** One frame of the context stack: the value a section pushed, and the frames around it. */
interface Frame {
  readonly view: unknown;
  readonly parent: Frame | undefined;
}

const MISSING = Symbol('missing');

function own(obj: unknown, key: string): unknown {
  if (obj === null || obj === undefined) return MISSING;
  if (typeof obj === 'object') {
    // Arrays count as objects: `hits.0` and `hits.length` are own properties.
    return Object.hasOwn(obj, key) ? (obj as Record<string, unknown>)[key] : MISSING;
  }
  if (typeof obj === 'string') {
    // Strings: `length` and indices, as with mustache.js's primitive lookups.
    return Object.hasOwn(Object(obj), key) ? (obj as unknown as Record<string, unknown>)[key] : MISSING;
  }
  return MISSING;
}

function lookupIn(view: unknown, name: string): unknown {
  if (name === '.') return view;
  // Like mustache.js, a plain name never resolves on a primitive (`{{length}}` inside a section over
  // strings means the outer `length`); a dotted one may (`{{msg.length}}`).
  if (name.indexOf('.') <= 0) return typeof view === 'object' ? own(view, name) : MISSING;
  let cur: unknown = view;
  for (const part of name.split('.')) {
    cur = own(cur, part);
    if (cur === MISSING) return MISSING;
  }
  return cur;
}

/** Looks `name` up from the innermost frame outwards; MISSING when no frame has it. */
function lookup(frame: Frame | undefined, name: string): unknown {
  for (let f = frame; f; f = f.parent) {
    const v = lookupIn(f.view, name);
    // Functions never come from JSON; treating them as absent keeps host code out of reach.
    if (v !== MISSING && typeof v !== 'function') return v;
    if (name === '.') break;
  }
  return MISSING;
}

export interface RenderState {
  escaped: Escaper;
  unescaped: Escaper;
  missing: string[];
}

function noteMissing(state: RenderState, name: string): void {
  if (!state.missing.includes(name)) state.missing.push(name);
}

export function renderTokens(tokens: Token[], frame: Frame, state: RenderState): string {
  let out = '';
  for (const token of tokens) {
    const kind = token[0];
    if (kind === 'text') {
      out += token[1];
    } else if (kind === 'name' || kind === '&') {
      const v = lookup(frame, token[1]);
      if (v === MISSING) {
        noteMissing(state, token[1]);
      } else if (v !== null && v !== undefined) {
        out += (kind === 'name' ? state.escaped : state.unescaped)(valueText(v), token[1]);
      }
    } else if (kind === '#') {
      const v = lookup(frame, token[1]);
      if (v === MISSING) {
        noteMissing(state, token[1]);
        continue;
      }
      if (!v) continue;
      const children = token[4] ?? [];
      if (Array.isArray(v)) {
        for (const item of v) out += renderTokens(children, { view: item, parent: frame }, state);
      } else if (typeof v === 'object' || typeof v === 'string' || typeof v === 'number') {
        out += renderTokens(children, { view: v, parent: frame }, state);
      } else {
        out += renderTokens(children, frame, state);
      }
    } else if (kind === '^') {
      // An inverted section exists to handle absence, so a missing name here is not reported.
      const v = lookup(frame, token[1]);
      if (v === MISSING || !v || (Array.isArray(v) && v.length === 0)) {
        out += renderTokens(token[4] ?? [], frame, state);
      }
    }
    // Partials ('>') are rejected at compile time; comments and delimiter changes leave no token.
  }
  return out;
}

/** Renders `tokens` against `view`; names that resolved nowhere are appended to `state.missing`. */
export function renderView(tokens: Token[], view: unknown, state: RenderState): string {
  return renderTokens(tokens, { view, parent: undefined }, state);
}
