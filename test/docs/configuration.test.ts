/**
 * docs/configuration.md cannot drift from the code: its table of keys lists exactly the keys of the
 * configuration schema, with the schema's defaults, and its table of environment variables lists every
 * `VIGIL_*` variable the daemon and the CLI read.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configSchema } from '../../src/config/schema.ts';
import { DOCS } from './markdown-examples.ts';

const page = readFileSync(join(DOCS, 'configuration.md'), 'utf8');

/** The rows of the Markdown table under `## heading`: cells without their backticks. */
function tableRows(heading: string): string[][] {
  const section = page.split(/^## /m).find((s) => s.startsWith(`${heading}\n`));
  if (!section) throw new Error(`configuration.md has no section "## ${heading}"`);
  return section
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) => l.split(' | ').map((c) => c.replace(/^\|\s*/, '').replace(/\s*\|$/, '').trim()));
}

type JsonSchema = { type?: string; properties?: Record<string, JsonSchema>; additionalProperties?: JsonSchema | boolean; anyOf?: JsonSchema[] };

/** Leaf key paths of the schema; a record's keys are written `<name>`. */
function keyPaths(s: JsonSchema, path: string, out: Set<string>): Set<string> {
  if (s.anyOf) for (const a of s.anyOf) keyPaths(a, path, out);
  else if (s.properties) for (const [k, v] of Object.entries(s.properties)) keyPaths(v, path ? `${path}.${k}` : k, out);
  else if (s.type === 'object' && typeof s.additionalProperties === 'object') keyPaths(s.additionalProperties, `${path}.<name>`, out);
  else out.add(path);
  return out;
}

function at(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), value);
}

/** Every default: the configuration parsed from nothing, and a cluster `<name>` with its optional objects present. */
function defaults(): unknown {
  const base = configSchema.parse({ clusters: { name: { urls: ['http://x'], tls: {} } }, node_name: 'n' }) as Record<string, unknown>;
  const { urls: _required, ...cluster } = (base.clusters as Record<string, Record<string, unknown>>).name!;
  base.clusters = { '<name>': cluster };
  delete base.node_name;
  return base;
}

/** Source files under src/, for the variables they read. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : n.endsWith('.ts') ? [readFileSync(p, 'utf8')] : [];
  });
}

describe('docs/configuration.md', () => {
  it('lists every key of the configuration schema, and no other', () => {
    const schema = keyPaths(z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema, '', new Set());
    const documented = tableRows('Keys').map((r) => r[0]!.replace(/`/g, ''));
    expect(new Set(documented)).toEqual(schema);
    expect(documented.length).toBe(schema.size);
  });

  it('gives the schema\'s default for each key (a JSON value, or — / required when there is none)', () => {
    const want = defaults();
    const wrong: string[] = [];
    for (const [key, def] of tableRows('Keys').map((r) => [r[0]!.replace(/`/g, ''), r[1]!] as const)) {
      if (key === 'node_name') continue; // the host name, known only at run time
      const actual = at(want, key);
      const shown = def === '—' || def === 'required' ? undefined : JSON.parse(def.replace(/^`|`$/g, ''));
      if (JSON.stringify(actual) !== JSON.stringify(shown)) wrong.push(`${key}: page ${def}, code ${JSON.stringify(actual)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('lists every VIGIL_* environment variable the code reads', () => {
    const read = new Set(sources(join(DOCS, '../src')).flatMap((t) => [...t.matchAll(/env(?:\.|\[')(VIGIL_[A-Z_]+)|(VIGIL_[A-Z_]+)'(?=;\s*$)/gm)].map((m) => m[1] ?? m[2]!)));
    const documented = new Set(tableRows('Environment variables').map((r) => r[0]!.replace(/`/g, '')));
    expect(read.size).toBeGreaterThan(4);
    expect([...read].filter((v) => !documented.has(v))).toEqual([]);
    expect([...documented].filter((v) => !read.has(v))).toEqual([]);
  });
});
