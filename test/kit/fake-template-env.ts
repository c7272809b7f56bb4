/**
 * A CompileEnv over the `mustache` package with the escape modes of src/templates/types.ts, for action
 * tests that must not wait on the real engine. Missing variables are reported like the engine does.
 */
import Mustache from 'mustache';
import type { CompileEnv } from '../../src/checks/types.ts';
import type { EscapeMode } from '../../src/templates/types.ts';
import { VigilError } from '../../src/errors.ts';

const json = (s: string) => JSON.stringify(s).slice(1, -1);
const slack = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const ESCAPES: Record<EscapeMode, (s: string) => string> = {
  json,
  slack: (s) => json(slack(s)),
  html: (s) => Mustache.escape(s),
  plain: (s) => s,
  header: (s) => {
    if (/[\r\n]/.test(s)) throw new VigilError('INVALID_HEADER_VALUE', 'header value contains CR or LF');
    return s;
  },
};

function lookup(view: unknown, path: string): unknown {
  if (path === '.') return view;
  let cur = view;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

export function fakeTemplateEnv(): CompileEnv & { compiled: Array<{ source: string; mode: EscapeMode }> } {
  const compiled: Array<{ source: string; mode: EscapeMode }> = [];
  return {
    compiled,
    script() {
      throw new Error('scripts are not used by these actions');
    },
    template(source, mode) {
      compiled.push({ source, mode });
      const tokens = Mustache.parse(source);
      const names = tokens.filter((t) => t[0] === 'name' || t[0] === '&').map((t) => String(t[1]));
      return {
        source,
        render(view: object) {
          const missing = names.filter((n) => lookup(view, n) === undefined);
          const text = Mustache.render(source, view, undefined, { escape: (v: unknown) => ESCAPES[mode](String(v)) });
          return { text, missing };
        },
      };
    },
  };
}
