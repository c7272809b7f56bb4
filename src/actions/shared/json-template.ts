/**
 * Templates inside JSON documents (Slack, PagerDuty, Jira, webhook fields) rendered so the document
 * stays valid whatever a value holds.
 *
 * Each string leaf is compiled once, in the engine's `json` (or `slack`) mode, from its source with the
 * literal text JSON-escaped. The engine then escapes values as JSON string content, so the rendered
 * leaf is always valid string content: wrapping it in quotes and parsing it gives back the exact text
 * (literal quotes, newlines and backslashes included), which we put into an object and serialise with
 * JSON.stringify. Going through the engine's mode (rather than `plain`) keeps Slack's own `&<>`
 * escaping of values, which only the engine knows how to apply to values and not to the literal text.
 */
import type { CompileEnv } from '../../checks/types.ts';
import type { CompiledTemplate, EscapeMode } from '../../templates/types.ts';
import { VigilError } from '../../errors.ts';

export interface LeafTemplate {
  readonly source: string;
  render(view: object, missing: string[]): string;
}

/** Compiles one string template whose rendered text becomes a JSON string value. */
export function compileLeaf(env: CompileEnv, source: string, mode: 'json' | 'slack' = 'json', path = ''): LeafTemplate {
  // Only sources with tags need the engine; plain strings render to themselves.
  if (!source.includes('{{')) return { source, render: () => source };
  const escaped = JSON.stringify(source).slice(1, -1);
  const tpl: CompiledTemplate = env.template(escaped, mode);
  return {
    source,
    render(view, missing) {
      const r = tpl.render(view);
      missing.push(...r.missing);
      try {
        return JSON.parse(`"${r.text}"`) as string;
      } catch {
        // Only a triple mustache ({{{x}}} / {{& x}}) can produce unescaped text here.
        throw new VigilError('INVALID_REQUEST', `template ${path || 'value'} rendered text that is not JSON-safe; use {{x}}, not {{{x}}}`);
      }
    },
  };
}

/** A compiled JSON tree: every string leaf is a template; other JSON values are kept as they are. */
export interface TreeTemplate {
  render(view: object, missing: string[]): unknown;
}

/**
 * Compiles every string leaf of a JSON value. `modeFor(key)` picks the mode per object key (e.g. Slack
 * `text` fields get `slack` mode, URLs get `json`).
 */
export function compileTree(
  env: CompileEnv,
  value: unknown,
  modeFor: (key: string | undefined) => 'json' | 'slack' = () => 'json',
  path = '',
  key?: string,
): TreeTemplate {
  if (typeof value === 'string') {
    const leaf = compileLeaf(env, value, modeFor(key), path);
    return { render: (view, missing) => leaf.render(view, missing) };
  }
  if (Array.isArray(value)) {
    const items = value.map((v, i) => compileTree(env, v, modeFor, `${path}[${i}]`, key));
    return { render: (view, missing) => items.map((t) => t.render(view, missing)) };
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(
      ([k, v]) => [k, compileTree(env, v, modeFor, path ? `${path}.${k}` : k, k)] as const,
    );
    return {
      render(view, missing) {
        const out: Record<string, unknown> = {};
        for (const [k, t] of entries) out[k] = t.render(view, missing);
        return out;
      },
    };
  }
  return { render: () => value };
}

/**
 * A template whose whole output is a JSON document (Signals allows e.g. `blocks` or `custom_details`
 * as one Mustache string). Values are JSON-escaped by the engine; the result must parse.
 */
export function compileJsonDocument(env: CompileEnv, source: string, path: string): TreeTemplate {
  const tpl = env.template(source, 'json');
  return {
    render(view, missing) {
      const r = tpl.render(view);
      missing.push(...r.missing);
      try {
        return JSON.parse(r.text) as unknown;
      } catch (e) {
        throw new VigilError('INVALID_REQUEST', `${path} did not render to valid JSON: ${(e as Error).message}`);
      }
    },
  };
}
