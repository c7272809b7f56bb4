/**
 * The "Error codes" tables of docs/troubleshooting.md list exactly the codes the source defines: every
 * catalogue code with its HTTP status, every fixed delivery failure code and each open family
 * (`HTTP_<status>`, `SMTP_<code>`) of the DeliveryFailureCode type, every health reason code with its
 * status. A code added to the source without a line, or a line for a code that is gone, fails here.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DELIVERY_FAILURE_CODES, ErrorCodes } from '../../src/errors.ts';
import { HEALTH_REASONS } from '../../src/health/report.ts';
import { DOCS } from './markdown-examples.ts';

const page = readFileSync(join(DOCS, 'troubleshooting.md'), 'utf8');

/** The rows of the table under a `### heading`: the cells of each line after the header and its rule. */
function tableRows(markdown: string, heading: string): string[][] {
  const start = markdown.indexOf(`\n### ${heading}\n`);
  if (start < 0) throw new Error(`no "### ${heading}" section`);
  const rest = markdown.slice(start + heading.length + 6);
  const end = rest.search(/\n#{1,3} /);
  const lines = (end < 0 ? rest : rest.slice(0, end)).split('\n').filter((l) => l.startsWith('|'));
  return lines.slice(2).map((l) => l.slice(1, -1).split('|').map((c) => c.trim()));
}

/** The code a row names: its first cell, in backticks. */
const codeOf = (row: string[]) => /^`([^`]+)`$/.exec(row[0]!)?.[1] ?? `(not a code: ${row[0]})`;

/** The open families of DeliveryFailureCode, read from its declaration (`HTTP_${number}` gives `HTTP_<status>`…). */
function deliveryFamilies(): string[] {
  const src = readFileSync(resolve(import.meta.dirname, '../../src/errors.ts'), 'utf8');
  const decl = /export type DeliveryFailureCode =([^;]+);/.exec(src)?.[1] ?? '';
  const families = [...decl.matchAll(/`([A-Z]+_)\$\{\w+\}`/g)].map((m) => m[1]!);
  expect(families.length, 'DeliveryFailureCode declares no template family: has its declaration moved?').toBeGreaterThan(0);
  return families;
}

const sorted = (xs: Iterable<string>) => [...xs].sort();

describe('docs/troubleshooting.md error codes', () => {
  it('lists every API and run error code with its HTTP status, and no other', () => {
    const rows = tableRows(page, 'API and run errors');
    expect(sorted(rows.map(codeOf))).toEqual(sorted(Object.keys(ErrorCodes)));
    for (const row of rows) expect(Number(row[1]), `${row[0]}'s status`).toBe(ErrorCodes[codeOf(row) as keyof typeof ErrorCodes]);
  });

  it('lists every delivery failure code and open family, each saying whether it is retried, and no other', () => {
    const rows = tableRows(page, 'Delivery failure codes');
    const fixed = rows.map(codeOf).filter((c) => !c.includes('<'));
    const open = rows.map(codeOf).filter((c) => c.includes('<'));
    expect(sorted(fixed)).toEqual(sorted(DELIVERY_FAILURE_CODES));
    expect(sorted(open.map((c) => c.slice(0, c.indexOf('<'))))).toEqual(sorted(deliveryFamilies()));
    for (const row of rows) expect(row[1], `${row[0]}'s "Retried" cell`).toMatch(/^(yes|no|if )/);
  });

  it('lists every health reason code with its status, and no other', () => {
    const rows = tableRows(page, 'Health reason codes');
    expect(sorted(rows.map(codeOf))).toEqual(sorted(Object.keys(HEALTH_REASONS)));
    for (const row of rows) expect(row[1], `${row[0]}'s status`).toBe(HEALTH_REASONS[codeOf(row) as keyof typeof HEALTH_REASONS]);
  });

  it('gives each code a line that says what to do', () => {
    for (const heading of ['API and run errors', 'Delivery failure codes', 'Health reason codes']) {
      for (const row of tableRows(page, heading)) expect(row.at(-1)!.length, `${row[0]} under ${heading}`).toBeGreaterThan(10);
    }
  });

  it('reads a table under its heading only, and a row without a code is reported as such', () => {
    const md = '## A\n\n### One\n\n| Code | X |\n|---|---|\n| `A` | 1 |\n\n### Two\n\n| Code | X |\n|---|---|\n| B | 2 |\n';
    expect(tableRows(md, 'One').map(codeOf)).toEqual(['A']);
    expect(tableRows(md, 'Two').map(codeOf)).toEqual(['(not a code: B)']);
  });
});
