/**
 * The template engine: Mustache parsed once by mustache.js, rendered by render.ts with the
 * escaping of the destination (escape.ts), with a bounded cache of compiled templates.
 *
 * Notes for callers:
 * - Missing variables render empty and are listed in `RenderResult.missing` as written in the template
 *   (`data.hits.hits.0._source.x`; names inside a section as written there). A missing section name
 *   (`{{#data.x}}`) is listed too; a missing inverted-section name (`{{^data.x}}`) is not, since that
 *   form exists to handle absence. `null` is a value (renders empty), not a missing variable.
 * - Objects and arrays render as JSON text, numbers and booleans as in JSON.
 * - `{{{x}}}` / `{{& x}}` skip escaping only in `html` and `plain` modes; in `json` they are still
 *   JSON-escaped (see escape.ts UNESCAPED for every mode).
 * - Whole-JSON rendering ("the whole request is rendered before it is parsed"): render the
 *   JSON text in `json` mode, then `JSON.parse`. Every tag of a JSON text sits inside a string, so the
 *   result always parses; a value like `"size": "{{data.n}}"` comes back as the *string* "10", and
 *   turning numeric strings into numbers is up to the consumer (Elasticsearch itself accepts "10").
 * - `header` mode checks values only: a line break written in the template text itself is the
 *   author's and is left for the mail layer to reject or fold.
 * - Partials (`{{> name}}`) are not supported and are a compile error; sections nest at most
 *   MAX_SECTION_DEPTH deep.
 * - Every render runs on a budget (TemplateLimits): output characters, work (a step per tag, text and
 *   section item) and time. The first limit that runs out stops the render at once with
 *   TEMPLATE_BUDGET_EXCEEDED, naming the template's field (when the compiler was told it) and the
 *   section being rendered.
 */
import Mustache from 'mustache';
import { Meter, type Exhausted, type Limits } from '../budget/meter.ts';
import { VigilError, errorMessage } from '../errors.ts';
import { ESCAPED, UNESCAPED } from './escape.ts';
import type { Node, RenderState, Token } from './render.ts';
import { prepare, renderView } from './render.ts';
import type { CompiledTemplate, EscapeMode, RenderOptions, RenderResult, TemplateEngine } from './types.ts';

/** Budgets of one render; `maxAlloc` is the output, in characters. */
export type TemplateLimits = Limits;

/**
 * Defaults: far above what a notification needs (an email listing a thousand hits is a few hundred
 * thousand characters and steps), and a template that multiplies sections stops within about 25 ms.
 */
export const DEFAULT_TEMPLATE_LIMITS: TemplateLimits = { maxSteps: 500_000, maxAlloc: 1024 * 1024, maxMillis: 25 };

export interface TemplateEngineOptions {
  /** Compiled templates kept, least recently used evicted first. Default 1000. */
  cacheSize?: number;
  /** Budgets of each render (DEFAULT_TEMPLATE_LIMITS for what is not given). */
  limits?: Partial<TemplateLimits>;
}

const MODES: ReadonlySet<string> = new Set<EscapeMode>(['html', 'json', 'slack', 'header', 'plain']);

// A private Writer with its cache disabled: mustache.js's own cache is unbounded and shared by the
// whole process, so we keep ours (bounded) instead.
const writer = new Mustache.Writer();
(writer as { templateCache?: unknown }).templateCache = undefined;

/** Finds partial tags anywhere in the tree; they would need a partial loader we do not offer. */
function findPartial(tokens: Token[]): string | undefined {
  for (const t of tokens) {
    if (t[0] === '>') return t[1];
    if ((t[0] === '#' || t[0] === '^') && t[4]) {
      const inner = findPartial(t[4]);
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}

function parse(source: string): Token[] {
  let tokens: Token[];
  try {
    // Explicit tags: mustache.js's default is a global another module could change.
    tokens = writer.parse(source, ['{{', '}}']) as Token[];
  } catch (e) {
    // mustache.js messages: 'Unclosed tag at 12', 'Unclosed section "x" at 5', 'Invalid tags: …'.
    throw new VigilError('TEMPLATE_COMPILE_ERROR', `invalid template: ${errorMessage(e)}`, undefined, { cause: e });
  }
  const partial = findPartial(tokens);
  if (partial !== undefined) {
    throw new VigilError('TEMPLATE_COMPILE_ERROR', `invalid template: partials are not supported ({{> ${partial}}})`);
  }
  return tokens;
}

function budgetError(limits: TemplateLimits, what: Exhausted, field: (() => string) | undefined, section: string | undefined): VigilError {
  const cause =
    what === 'alloc'
      ? `template output exceeds its limit of ${limits.maxAlloc} characters`
      : what === 'steps'
        ? `template rendering exceeds its budget of ${limits.maxSteps} steps (tags × section items)`
        : `template rendering exceeds its time budget of ${limits.maxMillis} ms`;
  const where = section === undefined ? '' : ` (in section {{#${section}}})`;
  return new VigilError('TEMPLATE_BUDGET_EXCEEDED', `${field ? `${field()}: ` : ''}${cause}${where}`);
}

/** A parsed template, shared by every compile of the same (mode, source). */
type Prepared = { source: string; text: string; nodes: null } | { source: string; nodes: Node[]; mode: EscapeMode };

function prepareSource(source: string, mode: EscapeMode): Prepared {
  const tokens = parse(source);
  const nodes = prepare(tokens);
  // A template without tags is its own output; skip the renderer entirely.
  if (tokens.length === 0 || (tokens.length === 1 && tokens[0]![0] === 'text')) {
    return { source, text: tokens.length ? tokens[0]![1] : '', nodes: null };
  }
  return { source, nodes, mode };
}

function templateOf(p: Prepared, defaults: TemplateLimits, field: (() => string) | undefined): CompiledTemplate {
  const { source } = p;
  if (p.nodes === null) {
    const text = p.text;
    return { source, render: (): RenderResult => ({ text, missing: [] }) };
  }
  const { nodes } = p;
  const escaped = ESCAPED[p.mode];
  const unescaped = UNESCAPED[p.mode];
  return {
    source,
    render(view: object, opts?: RenderOptions): RenderResult {
      const limits = opts?.maxOutputChars === undefined ? defaults : { ...defaults, maxAlloc: opts.maxOutputChars };
      const missing: string[] = [];
      const state: RenderState = { escaped, unescaped, missing, section: undefined, meter: undefined as unknown as Meter };
      state.meter = new Meter(limits, (what) => budgetError(limits, what, field, state.section));
      const text = renderView(nodes, view, state);
      return { text, missing };
    },
  };
}

/** Creates an engine with its own bounded cache of compiled templates. */
export function createTemplateEngine(opts: TemplateEngineOptions = {}): TemplateEngine {
  const cacheSize = opts.cacheSize ?? 1000;
  if (!Number.isInteger(cacheSize) || cacheSize < 0) throw new RangeError('cacheSize must be an integer >= 0');
  const limits: TemplateLimits = { ...DEFAULT_TEMPLATE_LIMITS, ...opts.limits };
  // A Map iterates in insertion order: re-inserting on a hit makes the first key the least recently used.
  // Templates compiled without a field are shared; one with a field gets its own small wrapper.
  const cache = new Map<string, { prepared: Prepared; shared: CompiledTemplate }>();

  return {
    compile(source: string, mode: EscapeMode, field?: () => string): CompiledTemplate {
      if (!MODES.has(mode)) throw new VigilError('TEMPLATE_COMPILE_ERROR', `unknown escape mode: ${String(mode)}`);
      if (typeof source !== 'string') throw new VigilError('TEMPLATE_COMPILE_ERROR', 'template source must be a string');
      const key = `${mode}\u0000${source}`;
      let entry = cache.get(key);
      if (entry) {
        cache.delete(key);
        cache.set(key, entry);
      } else {
        const prepared = prepareSource(source, mode);
        entry = { prepared, shared: templateOf(prepared, limits, undefined) };
        if (cacheSize > 0) {
          if (cache.size >= cacheSize) cache.delete(cache.keys().next().value!);
          cache.set(key, entry);
        }
      }
      return field ? templateOf(entry.prepared, limits, field) : entry.shared;
    },
  };
}
