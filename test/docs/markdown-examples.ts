/**
 * The JSON examples of the Markdown pages under docs/: every ```json block, with the marker on the line
 * before it that says what the block is and so how the docs test checks it:
 *
 *   <!-- example: watch [label] -->                  a watch file: valid to Vigil and to its JSON Schema
 *   <!-- example: invalid-watch PATH -->             a watch refused with a problem at PATH
 *   <!-- example: check | action | resolve-action | trigger | severity -->
 *                                                    one part of a watch, valid in a minimal watch
 *   <!-- example: account TYPE -->                   an account document of TYPE
 *   <!-- example: config -->                         a configuration file (or a part of one, from the top)
 *   <!-- example: request METHOD PATH [expect NNN] --> a request body, sent to the API (2xx, or NNN)
 *   <!-- example: response -->                       an answer shown for illustration: JSON, and an
 *                                                    error `code` must be one of the catalogue's
 *
 * A json block without a marker, or with one of another kind, fails the test: every JSON example in
 * the docs is checked.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const DOCS = new URL('../../docs', import.meta.url).pathname;

export const KINDS = ['watch', 'invalid-watch', 'check', 'action', 'resolve-action', 'trigger', 'severity', 'account', 'config', 'request', 'response'] as const;
export type Kind = (typeof KINDS)[number];

export interface Example {
  /** `docs/…/page.md:LINE` of the opening fence. */
  where: string;
  file: string;
  kind: Kind | string | null;
  /** The words after the kind. */
  args: string[];
  text: string;
}

const MARKER = /^<!--\s*example:\s*(.*?)\s*-->\s*$/;

/** Every Markdown file under `dir`, sorted. */
export function markdownFiles(dir = DOCS): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return markdownFiles(path);
      return name.endsWith('.md') ? [path] : [];
    });
}

/** The json blocks of one Markdown text, in order, each with its marker (or none). */
export function examplesOf(text: string, file: string): Example[] {
  const lines = text.split('\n');
  const out: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(\s*)(`{3,})(\S*)\s*$/.exec(lines[i]!);
    if (!fence) continue;
    const [, indent, ticks, lang] = fence;
    let end = i + 1;
    while (end < lines.length && lines[end]!.trim() !== ticks) end++;
    if (lang === 'json') {
      const marker = i > 0 ? MARKER.exec(lines[i - 1]!.trim()) : null;
      const [kind = null, ...args] = marker ? marker[1]!.split(/\s+/) : [];
      const body = lines.slice(i + 1, end).map((l) => (l.startsWith(indent!) ? l.slice(indent!.length) : l));
      out.push({ where: `${relative(join(DOCS, '..'), file)}:${i + 1}`, file, kind, args, text: body.join('\n') });
    }
    i = end;
  }
  return out;
}

export function allExamples(): Example[] {
  return markdownFiles().flatMap((f) => examplesOf(readFileSync(f, 'utf8'), f));
}
