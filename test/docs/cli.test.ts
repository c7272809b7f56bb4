/**
 * docs/cli.md describes every command the `vigil` binary has: a row in its table, a section of its own,
 * and every option of the command and of its subcommands in that section.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allSpecs } from '../../src/cli/specs.ts';
import { DOCS } from './markdown-examples.ts';

const page = readFileSync(join(DOCS, 'cli.md'), 'utf8');

/** The text of `## vigil <command>` up to the next `## ` heading, or undefined. */
function section(command: string): string | undefined {
  const start = page.indexOf(`\n## vigil ${command}\n`);
  if (start < 0) return undefined;
  const end = page.indexOf('\n## ', start + 1);
  return page.slice(start, end < 0 ? undefined : end);
}

describe('docs/cli.md', () => {
  const specs = allSpecs();
  const commands = [...new Set(Object.keys(specs).map((k) => k.split(' ')[0]!))];

  it('has a row and a section for every command', () => {
    expect(commands.length).toBeGreaterThan(8);
    const missing = commands.filter((c) => !page.includes(`| [\`${c}\`](#vigil-${c}) |`) || section(c) === undefined);
    expect(missing).toEqual([]);
  });

  it("names every option of every command (and subcommand) in the command's section", () => {
    const missing: string[] = [];
    for (const [name, spec] of Object.entries(specs)) {
      const text = section(name.split(' ')[0]!) ?? '';
      for (const option of Object.keys(spec.options)) if (!text.includes(`--${option}`)) missing.push(`${name} --${option}`);
    }
    expect(missing).toEqual([]);
  });
});
