/**
 * The JSON Schemas `vigil schema` writes: generated from the zod schemas that validate watches and
 * accounts, committed under schemas/ (kept in sync here), and agreeing with Vigil's own validation on
 * the example watches and on what it refuses.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { builtinRegistry } from '../../src/registry/builtin.ts';
import { jsonSchemaFiles } from '../../src/watches/json-schema.ts';
import { listWatchFiles } from '../../src/watches/file-names.ts';
import { compileWatch } from '../../src/watches/compile.ts';
import { compileEnv } from '../kit/runtime.ts';
import type { LinkedAccountType } from '../../src/actions/types.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const registry = builtinRegistry();
const files = jsonSchemaFiles(registry);
const env = compileEnv();

const compiled = new Map<string, ReturnType<Ajv2020['compile']>>();
/** Compiled once per file: the watch schema takes a while to compile. */
function validator(name: string) {
  const done = compiled.get(name);
  if (done) return done;
  // Not inlining the $defs (and not optimising the generated code) keeps the compile well under a second.
  const ajv = new Ajv2020({ strict: false, inlineRefs: false, code: { optimize: false } });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  const v = ajv.compile(files[name]!);
  compiled.set(name, v);
  return v;
}

describe('JSON Schemas of watch files and account documents', () => {
  it('the files under schemas/ are what `vigil schema` generates now (run it after changing a schema)', () => {
    const committed = readdirSync(join(ROOT, 'schemas')).filter((f) => f.endsWith('.json')).sort();
    expect(committed).toEqual(Object.keys(files).sort());
    for (const name of committed) expect(JSON.parse(readFileSync(join(ROOT, 'schemas', name), 'utf8')), name).toEqual(files[name]);
  });

  it('has one account schema per account type, and a watch schema naming every check and action type', () => {
    // Linked account types (ses, exchange, email_group) are stored and validated like the others.
    expect(Object.keys(files).filter((f) => f.startsWith('account-'))).toEqual(registry.accounts.map((e) => `account-${e.type}.schema.json`).sort());
    const text = JSON.stringify(files['watch.schema.json']);
    for (const t of registry.actions) expect(text).toContain(`"const":"${t.type}"`);
    for (const t of registry.checks) expect(files['watch.schema.json']!.$defs).toHaveProperty(`check-${t.type}`);
  });

  it('accepts every example watch, each of which names it in "$schema" and is valid to Vigil too', async () => {
    const valid = validator('watch.schema.json');
    const watches = await listWatchFiles(join(ROOT, 'watches'));
    expect(watches.length).toBeGreaterThan(3);
    for (const file of watches) {
      const doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      expect(doc.$schema, file).toMatch(/(\.\.\/)+schemas\/watch\.schema\.json$/);
      expect(valid(doc), `${file}: ${JSON.stringify(valid.errors)}`).toBe(true);
      expect(compileWatch(doc, { tenant: '_main', id: 'x' }, env).ok, file).toBe(true);
    }
  });

  it('refuses what Vigil refuses for its shape: unknown fields at any level, unknown types, wrong types', () => {
    const valid = validator('watch.schema.json');
    const base = { trigger: { schedule: { interval: '1m' } }, checks: [{ type: 'static', name: 's', value: {} }], actions: [{ type: 'log', name: 'l', text: 'x' }] };
    expect(valid(base)).toBe(true);
    const { checks, ...withoutChecks } = base;
    expect(valid({ ...withoutChecks, inputs: checks })).toBe(true);
    for (const bad of [
      { ...base, extra: 1 },
      { ...base, checks: [{ type: 'static', name: 's', value: {}, extra: 1 }] },
      { ...base, checks: [{ type: 'nope', name: 's' }] },
      { ...base, actions: [{ type: 'log', name: 'l', text: 'x', checks: [{ type: 'static', name: 's', valeu: {} }] }] },
      { ...base, actions: [{ type: 'webhook', name: 'w', request: { url: 'https://x.example/', method: 'FETCH' } }] },
      { ...base, trigger: { schedule: { daily: { at: 5 } } } },
    ]) {
      expect(valid(bad), JSON.stringify(bad)).toBe(false);
      expect(compileWatch(bad, { tenant: '_main', id: 'x' }, env).ok, JSON.stringify(bad)).toBe(false);
    }
  });

  it('accepts the example account of each type with the document fields and the fields every account has, and refuses an unknown field', () => {
    for (const e of registry.accounts) {
      const valid = validator(`account-${e.type}.schema.json`);
      const fixture = e.role === 'own' ? e.owner.conformance.account! : (e.manifest as LinkedAccountType).conformance;
      const example = fixture.example('https://service.example') as Record<string, unknown>;
      expect(e.manifest.schema.safeParse(example).success, e.type).toBe(true);
      const common = { name: 'Ops', description: 'why', enabled: false, tenants: ['team-a'] };
      expect(valid({ $schema: `../schemas/account-${e.type}.schema.json`, type: e.type, _name: 'ops', ...common, ...example }), `${e.type}: ${JSON.stringify(valid.errors)}`).toBe(true);
      expect(valid({ ...example, type: 'other' }), e.type).toBe(false);
      expect(valid({ ...example, unknown_field: 1 }), e.type).toBe(false);
    }
  });
});
