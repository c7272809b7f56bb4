/**
 * Mustache with escaping chosen by where the text goes:
 * - `html`: HTML bodies, values HTML-escaped;
 * - `json`: text that becomes (part of) a JSON document, values escaped as JSON string content so the
 *   document stays valid whatever a value holds;
 * - `slack`: JSON-safe plus Slack's own escaping of `&`, `<`, `>`;
 * - `header`: subjects and addresses, a rendered CR or LF is an INVALID_HEADER_VALUE error;
 * - `plain`: no escaping.
 */
export type EscapeMode = 'html' | 'json' | 'slack' | 'header' | 'plain';

export interface RenderResult {
  text: string;
  /** Dotted paths that were referenced but missing; they rendered empty and go to the watch log. */
  missing: string[];
}

export interface RenderOptions {
  /** This render's output limit in characters, instead of the engine's. */
  maxOutputChars?: number;
}

export interface CompiledTemplate {
  readonly source: string;
  /** Throws VigilError TEMPLATE_BUDGET_EXCEEDED when the output, work or time budget runs out. */
  render(view: object, opts?: RenderOptions): RenderResult;
}

export interface TemplateEngine {
  /**
   * Parses once (bounded cache keyed by source and mode); throws VigilError TEMPLATE_COMPILE_ERROR.
   * `field` names where the template sits (e.g. `actions[0].html_body`) for render errors; it is only
   * called when one occurs.
   */
  compile(source: string, mode: EscapeMode, field?: () => string): CompiledTemplate;
}
