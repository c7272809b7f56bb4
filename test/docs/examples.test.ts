/**
 * Every JSON example in docs/ is checked (the markers are described in markdown-examples.ts): watches
 * and their parts validate (scripts and templates compiled, as `vigil validate` does) and match the
 * JSON Schema `vigil schema` writes, accounts and configuration files validate, request bodies are
 * sent to a real API in page order and accepted, answers are JSON with catalogue codes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { ErrorCodes, type ErrorDetail } from '../../src/errors.ts';
import { configSchema } from '../../src/config/schema.ts';
import { takeDocumentFields } from '../../src/accounts/account-doc.ts';
import { takeCommonFields } from '../../src/accounts/common-fields.ts';
import { takeTenants } from '../../src/accounts/tenants.ts';
import { builtinRegistry } from '../../src/registry/builtin.ts';
import { compileWatch } from '../../src/watches/compile.ts';
import { jsonSchemaFiles } from '../../src/watches/json-schema.ts';
import { compileEnv } from '../kit/runtime.ts';
import { bearer, startHarness, type Harness } from '../api/harness.ts';
import { allExamples, examplesOf, KINDS, type Example } from './markdown-examples.ts';

const registry = builtinRegistry();
const env = compileEnv();
const schemas = jsonSchemaFiles(registry);
const ajv = new Ajv2020({ strict: false, inlineRefs: false, code: { optimize: false } });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
for (const [name, schema] of Object.entries(schemas)) ajv.addSchema(schema, name);

const examples = allExamples();
const byKind = (kind: string) => examples.filter((e) => e.kind === kind);

function parse(e: Example): unknown {
  try {
    return JSON.parse(e.text);
  } catch (err) {
    throw new Error(`${e.where}: not JSON: ${(err as Error).message}`);
  }
}

const show = (detail: ErrorDetail) => JSON.stringify(detail);
const REF = { tenant: '_main', id: 'docs-example' };
const MAPPING = { value: 'data.n', lang: 'cel', mapping: [{ threshold: 1, level: 'warning' }, { threshold: 10, level: 'error' }] };

/** A part of a watch inside the smallest watch that can hold it. */
function wrap(kind: string, part: Record<string, unknown>): Record<string, unknown> {
  const base = { trigger: { schedule: { interval: '1m' } } };
  switch (kind) {
    case 'check':
      return { ...base, checks: [part] };
    case 'action':
      return { ...base, actions: [part], ...(part.severity ? { severity: MAPPING } : {}) };
    case 'resolve-action':
      return { ...base, severity: MAPPING, resolve_actions: [part] };
    case 'trigger':
      return { ...base, trigger: part };
    default:
      return { ...base, severity: part };
  }
}

/** The problems of one watch for Vigil and for the JSON Schema (empty: valid to both). */
function watchProblems(doc: unknown): string[] {
  const problems: string[] = [];
  const r = compileWatch(doc, REF, env);
  if (!r.ok) problems.push(`Vigil: ${show(r.detail)}`);
  if (!ajv.validate('watch.schema.json', doc)) problems.push(`JSON Schema: ${JSON.stringify(ajv.errors)}`);
  return problems;
}

describe('the JSON examples of docs/', () => {
  it('are each marked with what they are', () => {
    expect(examples.length).toBeGreaterThanOrEqual(35);
    const unmarked = examples.filter((e) => !KINDS.includes(e.kind as never)).map((e) => `${e.where}: ${e.kind === null ? 'no <!-- example: … --> marker' : `unknown kind ${e.kind}`}`);
    expect(unmarked).toEqual([]);
  });

  it('are all found, fences and markers alike (the extractor itself)', () => {
    const page = ['<!-- example: watch -->', '```json', '{"a": 1}', '```', '', '```sh', '{"not": "json"}', '```', '  ```json', '  [1]', '  ```'].join('\n');
    expect(examplesOf(page, '/x/docs/p.md').map((e) => [e.kind, e.text])).toEqual([['watch', '{"a": 1}'], [null, '[1]']]);
  });

  it('watches, and parts of watches, are valid to Vigil and to watch.schema.json', () => {
    const problems: string[] = [];
    for (const e of byKind('watch')) for (const p of watchProblems(parse(e))) problems.push(`${e.where}: ${p}`);
    for (const kind of ['check', 'action', 'resolve-action', 'trigger', 'severity']) {
      for (const e of byKind(kind)) for (const p of watchProblems(wrap(kind, parse(e) as Record<string, unknown>))) problems.push(`${e.where}: ${p}`);
    }
    expect(problems).toEqual([]);
    expect(byKind('watch').length).toBeGreaterThanOrEqual(3);
  });

  it('watches shown as invalid are refused at the path the marker names', () => {
    for (const e of byKind('invalid-watch')) {
      const r = compileWatch(parse(e), REF, env);
      expect(r.ok, e.where).toBe(false);
      if (!r.ok) expect(Object.keys(r.detail), `${e.where}: ${show(r.detail)}`).toContain(e.args[0]);
    }
  });

  it('account documents are valid for their type, to Vigil and to account-<type>.schema.json', () => {
    for (const e of byKind('account')) {
      const type = registry.accountType(e.args[0] ?? '');
      expect(type, `${e.where}: account type ${e.args[0]}`).toBeDefined();
      const doc = parse(e) as Record<string, unknown>;
      expect(ajv.validate(`account-${type!.type}.schema.json`, doc), `${e.where}: ${JSON.stringify(ajv.errors)}`).toBe(true);
      const body = { ...doc };
      expect(takeDocumentFields(body, type!.type), e.where).toEqual({});
      // The fields every account has are the registry's, not the type's.
      expect(takeCommonFields(body).detail, e.where).toEqual({});
      expect(takeTenants(body).detail, e.where).toEqual({});
      const r = type!.manifest.schema.safeParse(body);
      expect(r.success, `${e.where}: ${JSON.stringify(r.error?.issues)}`).toBe(true);
    }
    // Every account type, linked ones included, has an example.
    expect(new Set(byKind('account').map((e) => e.args[0]))).toEqual(new Set(registry.accounts.map((t) => t.type)));
  });

  it('configuration files are valid', () => {
    for (const e of byKind('config')) {
      const r = configSchema.safeParse(parse(e));
      expect(r.success, `${e.where}: ${JSON.stringify(r.error?.issues)}`).toBe(true);
    }
  });

  it('answers are JSON, and the error codes they show are the catalogue\'s', () => {
    for (const e of byKind('response')) {
      const doc = parse(e) as { code?: unknown };
      if (typeof doc?.code === 'string') expect(Object.keys(ErrorCodes), e.where).toContain(doc.code);
    }
  });

  describe('request bodies, sent to the API page by page, in order', () => {
    const harnesses: Harness[] = [];
    afterAll(async () => Promise.all(harnesses.map((h) => h.close())));
    const pages = [...new Set(byKind('request').map((e) => e.file))];
    it.each(pages.map((p) => [p.slice(p.indexOf('/docs/') + 1), p]))('%s', async (_name, page) => {
      const h = await startHarness();
      harnesses.push(h);
      const token = await h.tokenFor('docs-admin', ['admin']);
      for (const e of byKind('request').filter((x) => x.file === page)) {
        const [method, url, expectWord, status] = e.args;
        expect(url, `${e.where}: request METHOD PATH`).toMatch(/^\//);
        const res = await h.call({ method: method as 'PUT', url: url!, headers: { authorization: bearer(token) }, payload: parse(e) as object });
        if (expectWord === 'expect') expect(res.statusCode, `${e.where}: ${res.body}`).toBe(Number(status));
        else expect(res.statusCode, `${e.where}: ${res.body}`).toBeLessThan(300);
      }
    });
  });
});
