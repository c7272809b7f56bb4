/**
 * Conformance of every registered action type: strict params, declared secret fields,
 * no secret in what is rendered, delivered or logged, and retry classification for 500, 400 and a
 * refused connection. A new type must add an adapter below; the suite fails until it does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { actionTypes } from '../../src/actions/index.ts';
import type { ActionType } from '../../src/actions/types.ts';
import type { HttpClient } from '../../src/net/types.ts';
import { createTestHttpClient } from '../kit/undici-http.ts';
import { templateEnv } from '../kit/template-env.ts';
import { deliverDeps, renderInfo, view } from '../kit/action-deps.ts';
import { accountHttp } from '../../src/actions/shared/account-destination.ts';

interface Adapter {
  /** Minimal valid params (pointing at `base` where the URL lives in params). */
  params(base: string): Record<string, unknown>;
  /** For types delivering over HTTP: an account pointing at `base`, holding the secret values below. */
  http?: { account(base: string): unknown; secrets: string[] };
}

const SLACK_TOKEN = 'confSlackTokenZZ9911';
const PD_KEY = 'confPdKey0000000000000000000077';
const JIRA_TOKEN = 'confJiraTokenQQ4455';
const HOOK_SECRET = 'confHookSecretHH3377';
const HOOK_PASS = 'confHookPassPP1122';

const ADAPTERS: Record<string, Adapter> = {
  slack: {
    params: () => ({ text: 'hello {{data.x}}' }),
    http: { account: (b) => ({ url: `${b}/services/T1/B1/${SLACK_TOKEN}` }), secrets: [SLACK_TOKEN] },
  },
  pagerduty: {
    params: () => ({ event: { payload: { summary: 'hello {{data.x}}' } } }),
    http: { account: (b) => ({ integration_key: PD_KEY, url: `${b}/v2/enqueue` }), secrets: [PD_KEY] },
  },
  jira: {
    params: () => ({ project: 'OPS', issue: { type: 'Bug', summary: 'hello {{data.x}}' } }),
    http: { account: (b) => ({ url: b, user_name: 'u@example.com', auth_token: JIRA_TOKEN }), secrets: [JIRA_TOKEN, Buffer.from(`u@example.com:${JIRA_TOKEN}`).toString('base64')] },
  },
  webhook: {
    params: () => ({ request: { path: '/hook', body: '{"x":"{{data.x}}"}' } }),
    http: {
      account: (b) => ({ url: b, headers: { 'x-api-key': HOOK_SECRET }, auth: { type: 'basic', username: 'svc', password: HOOK_PASS } }),
      secrets: [HOOK_SECRET, HOOK_PASS, Buffer.from(`svc:${HOOK_PASS}`).toString('base64')],
    },
  },
  // Non-HTTP types: schema checks here; their delivery classification is covered by their own suites.
  email: { params: () => ({ to: 'a@example.com', subject: 's', text_body: 'b' }) },
  log: { params: () => ({ text: 'hello' }) },
  index: { params: () => ({ index: 'alerts' }) },
};

let status = 500;
let server: Server;
let base = '';
let http: HttpClient;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'application/json' });
      // Echo the request headers, as some broken services do: the actions must still leak nothing.
      res.end(JSON.stringify({ error: 'conformance', echoed: req.headers, path: req.url }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  http = createTestHttpClient({ readTimeoutMs: 500 });
});
afterAll(async () => {
  await http.close();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

it('every registered type has a conformance adapter and a unique name', () => {
  const names = actionTypes.map((t) => t.type);
  expect(new Set(names).size).toBe(names.length);
  for (const n of names) expect(ADAPTERS[n], `conformance adapter for '${n}'`).toBeDefined();
});

const named = (types: readonly ActionType[]) => types.map((t) => [t.type, t] as const);
const adapterOf = (t: ActionType) => ADAPTERS[t.type]!;

describe.each(named(actionTypes))('%s params', (_name, type) => {
  it('a valid sample parses, an unknown key is rejected', () => {
    const p = adapterOf(type).params('http://127.0.0.1:9');
    expect(type.params.safeParse(p).success).toBe(true);
    const r = type.params.safeParse({ ...p, no_such_field: 1 });
    expect(r.success).toBe(false);
    expect(r.error!.issues.some((i) => i.code === 'unrecognized_keys')).toBe(true);
  });
});

describe.each(named(actionTypes.filter((t) => t.account)))('%s account', (_name, type) => {
  it('is strict and declares secret fields that exist in it', () => {
    const account = type.account!;
    const schema = account.schema as unknown as z.ZodObject<any>;
    expect(schema.shape, 'account schema is an object').toBeDefined();
    expect(account.secretFields.length).toBeGreaterThan(0);
    for (const f of account.secretFields) expect(Object.keys(schema.shape)).toContain(f.split('.')[0]);
    expect(schema.safeParse({ no_such_field: 1 }).success).toBe(false);
  });
});

describe.each(named(actionTypes.filter((t) => ADAPTERS[t.type]?.http)))('%s over HTTP', (_name, type) => {
  const deliver = async (account: unknown) => {
    const a = adapterOf(type);
    const c = type.compile(type.params.parse(a.params(base)), templateEnv());
    const n = c.render(view({ x: 'y' }), renderInfo());
    // The client a delivery gets: pinned to the destination the type declares for this account.
    const d = deliverDeps(accountHttp(type, account, http), account);
    const r = await type.deliver(n, d.deps);
    const everything = JSON.stringify(n) + JSON.stringify(r) + d.logText();
    for (const s of a.http!.secrets) expect(everything).not.toContain(s);
    return r;
  };

  it('declares its account URL as where the account\'s secrets go', () => {
    const dest = type.account!.destination(adapterOf(type).http!.account(base));
    expect(dest?.origins).toEqual([base]);
  });

  it('a 500 is a retryable failure, returned not thrown, with no secret anywhere', async () => {
    status = 500;
    expect(await deliver(adapterOf(type).http!.account(base))).toMatchObject({ ok: false, retry: true });
  });

  it('a 400 is a permanent failure with no secret anywhere', async () => {
    status = 400;
    expect(await deliver(adapterOf(type).http!.account(base))).toMatchObject({ ok: false, retry: false });
  });

  it('a refused connection is a retryable failure with no secret anywhere', async () => {
    expect(await deliver(adapterOf(type).http!.account('http://127.0.0.1:1'))).toMatchObject({ ok: false, retry: true });
  });
});

describe.each(named(actionTypes.filter((t) => ADAPTERS[t.type]?.http && t.account?.required)))('%s without its account', (_name, type) => {
  it('fails permanently instead of throwing', async () => {
    const c = type.compile(type.params.parse(adapterOf(type).params(base)), templateEnv());
    const r = await type.deliver(c.render(view({ x: 'y' }), renderInfo()), deliverDeps(http, undefined).deps);
    expect(r).toMatchObject({ ok: false, retry: false });
  });
});
