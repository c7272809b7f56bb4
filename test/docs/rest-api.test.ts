/**
 * docs/rest-api.md's table of routes cannot drift from the daemon: it lists every watch, account and
 * node route of the OpenAPI document (which is generated from the registered routes), with the
 * permission the route checks, and no route that does not exist. Security routes are documented in
 * access-control.md and checked by the OpenAPI tests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../api/harness.ts';
import { DOCS } from './markdown-examples.ts';

type Operation = { tags: string[]; 'x-vigil-permission'?: string };

let h: Harness;
let documented: Map<string, string>;
let registered: Map<string, string>;

beforeAll(async () => {
  h = await startHarness();
  const res = await h.call({ method: 'GET', url: '/_vigil/openapi.json' });
  const paths = (JSON.parse(res.body) as { paths: Record<string, Record<string, Operation>> }).paths;
  registered = new Map();
  for (const [path, ops] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (method !== 'head' && !op.tags.includes('security')) registered.set(`${method.toUpperCase()} ${path}`, op['x-vigil-permission'] ?? 'none');
    }
  }
  const page = readFileSync(join(DOCS, 'rest-api.md'), 'utf8');
  const section = page.split(/^## /m).find((s) => s.startsWith('Routes\n')) ?? '';
  documented = new Map([...section.matchAll(/^\| `([A-Z]+ \S+)` \| ([^|]+?) \|/gm)].map((m) => [m[1]!, m[2]!]));
});
afterAll(async () => h.close());

describe('docs/rest-api.md', () => {
  it('lists every watch, account and node route, and only those', () => {
    expect(registered.size).toBeGreaterThan(15);
    expect([...registered.keys()].filter((r) => !documented.has(r))).toEqual([]);
    expect([...documented.keys()].filter((r) => !registered.has(r))).toEqual([]);
  });

  it('names the permission each route checks', () => {
    const wrong = [...documented].filter(([r, p]) => registered.has(r) && registered.get(r) !== p).map(([r, p]) => `${r}: page ${p}, route ${registered.get(r)}`);
    expect(wrong).toEqual([]);
  });
});
