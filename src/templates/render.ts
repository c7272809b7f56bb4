/**
 * Renders a token tree produced by mustache.js's parser.
 *
 * Parsing (tags, sections, delimiters, standalone-line rules) is mustache.js's; rendering is ours,
 * because mustache.js's renderer does three things we cannot allow or need to change:
 * - its lookup uses `in`, so inherited members resolve (`{{data.constructor}}`), and it *calls* any
 *   function it finds — with a section's text as the argument for `{{#fn}}…{{/fn}}`, which on
 *   `data.constructor.constructor` reaches `Function`. Views here are plain JSON: we only follow own
 *   properties and never call anything;
 * - it cannot report which variables were missing (they go to the watch log);
 * - its `{{{x}}}` path bypasses the escape hook, which json mode must not allow (see escape.ts).
 * The section semantics below are mustache.js's own, so templates render the same as with Mustache.render.
 */
import type { Meter } from '../budget/meter.ts';
import { VigilError } from '../errors.ts';
import type { Escaper } from './escape.ts';
import { valueText } from './escape.ts';
import { jsonLengthOver } from './json-size.ts';

/** Sections nested deeper than this are refused when the template compiles (rendering recurses per level). */
export const MAX_SECTION_DEPTH = 64;

/** A mustache.js token: `[type, value, start, end, children?, closeStart?]`. */
export type Token = [string, string, number, number, Token[]?, number?];

/**
 * A token prepared for rendering: names split into their path once, at compile time, because splitting
 * on every lookup was most of the render time.
 */
export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'name' | '&' | '#' | '^'; name: string; path: readonly string[] | null; dotted: boolean; children: Node[] };

/**
 * Prepares mustache.js tokens for renderNodes. Partials must have been rejected before. Throws
 * TEMPLATE_COMPILE_ERROR for sections nested deeper than MAX_SECTION_DEPTH.
 */
export function prepare(tokens: Token[], depth = 0): Node[] {
  const out: Node[] = [];
  for (const t of tokens) {
    const kind = t[0];
    if (kind === 'text') {
      out.push({ kind: 'text', text: t[1] });
    } else if (kind === 'name' || kind === '&' || kind === '#' || kind === '^') {
      const name = t[1];
      if (t[4] && depth >= MAX_SECTION_DEPTH) {
        throw new VigilError('TEMPLATE_COMPILE_ERROR', `invalid template: sections are nested deeper than ${MAX_SECTION_DEPTH} levels`);
      }
      out.push({
        kind,
        name,
        path: name === '.' ? null : name.split('.'),
        // As mustache.js: a name is "dotted" only when a dot follows a non-empty first part.
        dotted: name.indexOf('.') > 0,
        children: t[4] ? prepare(t[4], depth + 1) : [],
      });
    }
  }
  return out;
}

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

type Ref = Extract<Node, { path: unknown }>;

function lookupIn(view: unknown, ref: Ref): unknown {
  const path = ref.path;
  if (path === null) return view;
  // Like mustache.js, a plain name never resolves on a primitive (`{{length}}` inside a section over
  // strings means the outer `length`); a dotted one may (`{{msg.length}}`).
  if (!ref.dotted) return typeof view === 'object' ? own(view, ref.name) : MISSING;
  let cur: unknown = view;
  for (let i = 0; i < path.length; i++) {
    cur = own(cur, path[i]!);
    if (cur === MISSING) return MISSING;
  }
  return cur;
}

/** Looks the name up from the innermost frame outwards; MISSING when no frame has it. */
function lookup(frame: Frame | undefined, ref: Ref): unknown {
  for (let f = frame; f; f = f.parent) {
    const v = lookupIn(f.view, ref);
    // Functions never come from JSON; treating them as absent keeps host code out of reach.
    if (v !== MISSING && typeof v !== 'function') return v;
    if (ref.path === null) break;
  }
  return MISSING;
}

export interface RenderState {
  escaped: Escaper;
  unescaped: Escaper;
  missing: string[];
  /**
   * Counts the work (a step per tag, text and section item; a step per 16 characters written) and the
   * output characters; throws when a limit runs out, so a runaway render stops before it grows.
   */
  meter: Meter;
  /** The innermost section being rendered, named in budget errors. */
  section: string | undefined;
}

/** Appends `text` to the output count. */
function wrote(state: RenderState, text: string): string {
  const n = text.length;
  state.meter.allocate(n);
  state.meter.step(1 + (n >>> 4));
  return text;
}

/**
 * The text of a value, sized before it is serialised or escaped (an object or array by a walk that stops
 * at the output left), so a huge `{{data}}` fails before that work rather than after.
 */
function boundedText(state: RenderState, v: unknown): string {
  const left = state.meter.limits.maxAlloc - state.meter.alloc;
  if (typeof v === 'string' ? v.length > left : typeof v === 'object' && v !== null && jsonLengthOver(v, left)) {
    state.meter.allocate(left + 1);
  }
  return valueText(v);
}

function noteMissing(state: RenderState, name: string): void {
  if (!state.missing.includes(name)) state.missing.push(name);
}

function renderNodes(nodes: Node[], frame: Frame, state: RenderState): string {
  let out = '';
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    if (node.kind === 'text') {
      out += wrote(state, node.text);
      continue;
    }
    state.meter.step();
    const v = lookup(frame, node);
    switch (node.kind) {
      case 'name':
      case '&':
        if (v === MISSING) noteMissing(state, node.name);
        else if (v !== null && v !== undefined) {
          out += wrote(state, (node.kind === 'name' ? state.escaped : state.unescaped)(boundedText(state, v), node.name));
        }
        break;
      case '#':
        if (v === MISSING) {
          noteMissing(state, node.name);
        } else if (!v) {
          // false, 0, '', null: the section is skipped.
        } else {
          const outer = state.section;
          state.section = node.name;
          if (Array.isArray(v)) {
            for (const item of v) {
              state.meter.step();
              out += renderNodes(node.children, { view: item, parent: frame }, state);
            }
          } else if (typeof v === 'object' || typeof v === 'string' || typeof v === 'number') {
            out += renderNodes(node.children, { view: v, parent: frame }, state);
          } else {
            out += renderNodes(node.children, frame, state);
          }
          state.section = outer;
        }
        break;
      case '^':
        // An inverted section exists to handle absence, so a missing name here is not reported.
        if (v === MISSING || !v || (Array.isArray(v) && v.length === 0)) {
          out += renderNodes(node.children, frame, state);
        }
        break;
    }
  }
  return out;
}

/** Renders prepared nodes against `view`; names that resolved nowhere are appended to `state.missing`. */
export function renderView(nodes: Node[], view: unknown, state: RenderState): string {
  return renderNodes(nodes, { view, parent: undefined }, state);
}
