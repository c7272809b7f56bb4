/**
 * How a looked-up value becomes text, per escape mode. Kept apart from the renderer so the
 * rules for each destination sit in one short table.
 */
import { VigilError } from '../errors.ts';
import type { EscapeMode } from './types.ts';

/**
 * Escapes the text of one value. `name` is the variable as written in the template; it is used only in
 * error messages (never the value, which may hold anything, secrets included).
 */
export type Escaper = (text: string, name: string) => string;

/**
 * The text of a value: strings as they are, numbers/booleans as in JSON, objects and arrays as JSON text
 * (as Signals does for `{{data}}`), null as the empty string.
 */
export function valueText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      // JSON has no NaN/Infinity; String() keeps them readable rather than turning them into "null".
      return String(value);
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'object':
      if (value === null) return '';
      return JSON.stringify(value) ?? '';
    default:
      return '';
  }
}

// The same character set mustache.js escapes, so HTML output matches what Mustache users expect.
// A table and one pass instead of a regex with a callback: HTML bodies with many values spent most of
// their render time here.
const HTML_ENTITIES: Array<string | undefined> = [];
HTML_ENTITIES[0x26] = '&amp;';
HTML_ENTITIES[0x3c] = '&lt;';
HTML_ENTITIES[0x3e] = '&gt;';
HTML_ENTITIES[0x22] = '&quot;';
HTML_ENTITIES[0x27] = '&#39;';
HTML_ENTITIES[0x2f] = '&#x2F;';
HTML_ENTITIES[0x60] = '&#x60;';
HTML_ENTITIES[0x3d] = '&#x3D;';

export function escapeHtml(text: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const entity = c < 0x61 ? HTML_ENTITIES[c] : undefined;
    if (entity !== undefined) {
      out += text.slice(last, i) + entity;
      last = i + 1;
    }
  }
  return last === 0 ? text : out + text.slice(last);
}

// Anything JSON.stringify would change, plus U+2028/U+2029 (valid JSON, but they break a document that is
// later embedded in JavaScript) and lone surrogates (JSON.stringify escapes those as \uXXXX).
const JSON_RE = /[\u0000-\u001f"\\\u2028\u2029\ud800-\udfff]/;

/** Escapes text as the content of a JSON string literal (no surrounding quotes). */
export function escapeJsonString(text: string): string {
  if (!JSON_RE.test(text)) return text;
  return JSON.stringify(text).slice(1, -1).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const SLACK_RE = /[&<>]/;
const SLACK_RE_G = /[&<>]/g;
const SLACK_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** Slack's own escaping of control characters in message text (api.slack.com "Escaping text"). */
export function escapeSlack(text: string): string {
  return SLACK_RE.test(text) ? text.replace(SLACK_RE_G, (c) => SLACK_ENTITIES[c]!) : text;
}

const CRLF_RE = /[\r\n]/;

/** Header values must stay on one line: a CR or LF in a value would let it inject more headers. */
export function checkHeader(text: string, name: string): string {
  if (CRLF_RE.test(text)) {
    throw new VigilError(
      'INVALID_HEADER_VALUE',
      `template variable "${name}" rendered a line break (CR or LF), which is not allowed in a header value`,
    );
  }
  return text;
}

const identity: Escaper = (text) => text;

/** Escaping of `{{name}}` per mode. */
export const ESCAPED: Record<EscapeMode, Escaper> = {
  html: escapeHtml,
  json: escapeJsonString,
  slack: (text) => escapeJsonString(escapeSlack(text)),
  header: checkHeader,
  plain: identity,
};

/**
 * Escaping of `{{{name}}}` / `{{& name}}` per mode. Mustache defines these as "not escaped", which we
 * honour only where skipping the escape cannot break the destination's structure:
 * - `html`, `plain`: raw, as Mustache defines;
 * - `json`: still JSON-escaped — raw text could end the string or the document, and the promise of json
 *   mode is that the rendered document is valid whatever a value holds;
 * - `slack`: JSON-escaped but without Slack's `&<>` escaping, so data may carry Slack markup
 *   such as `<https://x|link>` on purpose;
 * - `header`: CR/LF still rejected: it is a safety check, not an escape.
 */
export const UNESCAPED: Record<EscapeMode, Escaper> = {
  html: identity,
  json: escapeJsonString,
  slack: escapeJsonString,
  header: checkHeader,
  plain: identity,
};
