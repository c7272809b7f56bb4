import { VigilError } from '../errors.ts';
import type { CompiledTemplate, EscapeMode } from './types.ts';

/** What a JSON template needs of the compile environment of the check or action it sits in. */
export interface TemplateCompiler {
  template(source: string, mode: EscapeMode, field?: () => string): CompiledTemplate;
}

export interface JsonTemplate<T> {
  /** Renders with JSON-safe escaping and parses the result; missing variables are reported. */
  render(view: object, reportMissing: (paths: string[]) => void): T;
}

export interface JsonTemplateOptions {
  /** Where the value sits in its check (e.g. `request`), for render errors. */
  field?: string;
  /** The rendered document's limit in characters, instead of the engine's output limit. */
  maxOutputChars?: number;
}

/**
 * A JSON value whose strings may hold Mustache tags, rendered as one document: the whole request is
 * rendered with Mustache before it is parsed as JSON, as Signals does. Values are escaped as JSON string
 * content, so whatever they hold the document stays valid. A value with no tag is parsed once and shared:
 * the hot path of most search checks does no rendering at all.
 */
export function compileJsonTemplate<T>(value: T, env: TemplateCompiler, opts: JsonTemplateOptions = {}): JsonTemplate<T> {
  const text = JSON.stringify(value);
  if (!text.includes('{{')) {
    return { render: () => value };
  }
  const { field, maxOutputChars } = opts;
  const template = env.template(text, 'json', field === undefined ? undefined : () => field);
  const renderOpts = maxOutputChars === undefined ? undefined : { maxOutputChars };
  return {
    render(view, reportMissing) {
      const { text: rendered, missing } = template.render(view, renderOpts);
      if (missing.length) reportMissing(missing);
      try {
        return JSON.parse(rendered) as T;
      } catch (e) {
        throw new VigilError('INVALID_REQUEST', `rendered request is not valid JSON: ${(e as Error).message}`);
      }
    },
  };
}
