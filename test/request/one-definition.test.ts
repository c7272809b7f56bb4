/**
 * One HTTP request definition: the `http` check, the webhook action and e-mail `request` attachments
 * accept the same fields with the same validation messages, and send the same request for the same
 * definition and data.
 */
import { describe, expect, it } from 'vitest';
import { compileWatch } from '../../src/watches/compile.ts';
import { webhookAction } from '../../src/actions/webhook/index.ts';
import { emailAction } from '../../src/actions/email/index.ts';
import { resolveAttachments } from '../../src/actions/email/attachments.ts';
import type { EmailRequest } from '../../src/actions/email/request.ts';
import type { HttpClient, HttpRequest } from '../../src/net/types.ts';
import { resolvingStoredRefs, type StoredRefs } from '../../src/request/stored-refs.ts';
import { compileEnv, runtimeKit } from '../kit/runtime.ts';
import { templateEnv } from '../kit/template-env.ts';
import { deliverDeps, renderInfo, view } from '../kit/action-deps.ts';

/** Records every request; answers 200 with a small JSON body. */
function capturingHttp(): HttpClient & { seen: HttpRequest[] } {
  const seen: HttpRequest[] = [];
  return {
    seen,
    async request(req) {
      seen.push(req);
      return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}', truncated: false };
    },
    close: async () => {},
  };
}

const DATA = { id: 'a b/c', v: 'say "hi"\n', hits: [{ n: 1 }] };

/** A stored proxy and trust store, as the registries would resolve them. */
const CORP_CA = '-----BEGIN CERTIFICATE-----\nCORP\n-----END CERTIFICATE-----';
const STORED: StoredRefs = {
  proxyUri: async (id) => (id === 'corp-proxy' ? 'http://ops:pw@proxy.corp.example:3128' : Promise.reject(new Error(id))),
  truststorePem: async (id) => (id === 'corp-ca' ? CORP_CA : Promise.reject(new Error(id))),
};

const definitions = {
  'templated URL, path, query, headers and a JSON body': {
    request: {
      method: 'PUT',
      url: 'https://api.example.com/base/?fixed=1',
      path: '/items/{{data.id}}',
      query_params: { who: '{{data.id}}' },
      headers: { 'X-Trace': 'run-{{data.id}}' },
      body: '{"v":"{{data.v}}"}',
      auth: { type: 'basic', username: 'svc', password: 'inline-pw' },
    },
    tls: { trusted_certs: ['-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----', '-----BEGIN CERTIFICATE-----\nB\n-----END CERTIFICATE-----'], verify_hostnames: true },
    connection_timeout: 2,
    read_timeout: '1500ms',
    proxy: 'http://proxy.example.com:3128',
  },
  'json_body_from, a declared content type and a direct connection': {
    request: { url: 'https://api.example.com/ingest', method: 'POST', json_body_from: 'data.hits', headers: { 'Content-Type': 'application/x-ndjson' } },
    proxy: 'none',
  },
  'a stored proxy and a stored trust store': {
    request: { url: 'https://api.example.com/x', method: 'GET' },
    tls: { truststore_id: 'corp-ca', client_session_timeout: 5 },
    proxy: 'corp-proxy',
  },
};

/** What reaches the HTTP client, in a form the three can be compared in (header names are case-blind). */
function comparable(req: HttpRequest) {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers ?? {})) if (k.toLowerCase() !== 'idempotency-key') headers[k.toLowerCase()] = v;
  const { signal: _signal, headers: _headers, ...rest } = req;
  return { ...rest, headers };
}

async function viaCheck(def: Record<string, unknown>): Promise<HttpRequest> {
  const http = capturingHttp();
  const kit = runtimeKit({ http, storedRefs: STORED });
  try {
    const w = kit.compile({
      checks: [{ type: 'static', target: 'data', value: DATA }, { type: 'transform', source: 'return data.data' }, { type: 'http', name: 'h', ...def }],
    });
    const rec = await kit.runner.run(w, { fire: null });
    expect(rec.status.code).not.toBe('EXECUTION_FAILED');
  } finally {
    await kit.close();
  }
  return http.seen[0]!;
}

async function viaWebhook(def: Record<string, unknown>): Promise<HttpRequest> {
  const http = capturingHttp();
  const n = webhookAction.compile(webhookAction.params.parse(def) as never, templateEnv()).render(view(DATA), renderInfo());
  expect(await webhookAction.deliver(n, deliverDeps(resolvingStoredRefs(http, STORED), undefined).deps)).toMatchObject({ ok: true });
  return http.seen[0]!;
}

async function viaAttachment(def: Record<string, unknown>): Promise<HttpRequest> {
  const http = capturingHttp();
  const params = emailAction.params.parse({ to: 'ops@example.com', subject: 's', text_body: 'b', attachments: { 'r.json': { type: 'request', ...def } } });
  const n = emailAction.compile(params as never, templateEnv()).render(view(DATA), renderInfo());
  const got = await resolveAttachments((n.request as EmailRequest).attachments, resolvingStoredRefs(http, STORED), new AbortController().signal);
  expect(Array.isArray(got)).toBe(true);
  return http.seen[0]!;
}

describe('one HTTP request definition', () => {
  it.each(Object.entries(definitions))('%s: the check, the webhook and an attachment send the same request', async (_name, def) => {
    const [check, webhook, attachment] = await Promise.all([viaCheck(def), viaWebhook(def), viaAttachment(def)]);
    expect(comparable(webhook)).toEqual(comparable(check));
    expect(comparable(attachment)).toEqual(comparable(check));
  });

  it('renders the first definition as documented', async () => {
    const sent = comparable(await viaCheck(definitions['templated URL, path, query, headers and a JSON body']));
    expect(sent).toEqual({
      method: 'PUT',
      url: 'https://api.example.com/base/items/a%20b/c?fixed=1&who=a+b%2Fc',
      headers: { 'x-trace': 'run-a b/c', 'content-type': 'application/json', authorization: `Basic ${Buffer.from('svc:inline-pw').toString('base64')}` },
      body: JSON.stringify({ v: DATA.v }),
      tls: { trusted_certs: '-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nB\n-----END CERTIFICATE-----', verify_hostnames: true },
      connectTimeoutMs: 2000,
      readTimeoutMs: 1500,
      proxy: 'http://proxy.example.com:3128',
    });
  });

  it('sends a stored proxy and trust store as what they resolve to, and names each use by its path', async () => {
    const sent = comparable(await viaCheck(definitions['a stored proxy and a stored trust store']));
    expect(sent).toMatchObject({ proxy: 'http://ops:pw@proxy.corp.example:3128', tls: { trusted_certs: CORP_CA, client_session_timeout: 5000 } });
    expect(sent).not.toHaveProperty('proxyId');
    expect(sent.tls).not.toHaveProperty('truststore_id');
    const r = compileAll({ request: { url: 'https://x.example' }, proxy: 'corp-proxy', tls: { truststore_id: 'corp-ca' } });
    if (!r.ok) expect.fail(JSON.stringify(r.detail));
    expect(r.watch.storedRefs.map((x) => `${x.kind} ${x.id} ${x.path}`).sort()).toEqual([
      'proxy corp-proxy actions[0].proxy',
      'proxy corp-proxy actions[1].attachments.f.txt.proxy',
      'proxy corp-proxy checks[0].proxy',
      'truststore corp-ca actions[0].tls.truststore_id',
      'truststore corp-ca actions[1].attachments.f.txt.tls.truststore_id',
      'truststore corp-ca checks[0].tls.truststore_id',
    ]);
    // Look-alikes in free-form data are not references.
    const lookalike = compileWatch({ checks: [{ type: 'static', target: 'x', value: { proxy: { id: 'p' }, tls: { truststore_id: 't' } } }] }, { tenant: '_main', id: 'w' }, compileEnv());
    expect(lookalike.ok && lookalike.watch.storedRefs).toEqual([]);
  });

  it('json_body_from reads a path of the view, or under data', async () => {
    const def = (path: string) => ({ request: { url: 'https://api.example.com/x', method: 'POST', json_body_from: path } });
    for (const via of [viaCheck, viaWebhook, viaAttachment]) {
      expect((await via(def('data.hits'))).body, via.name).toBe(JSON.stringify(DATA.hits));
      expect((await via(def('hits'))).body, via.name).toBe(JSON.stringify(DATA.hits));
    }
  });

  const compileAll = (bad: Record<string, unknown>) =>
    compileWatch(
      {
        checks: [{ type: 'http', name: 'h', ...bad }],
        actions: [
          { type: 'webhook', name: 'w', ...bad },
          { type: 'email', name: 'e', to: 'ops@example.com', subject: 's', text_body: 'b', attachments: { 'f.txt': { type: 'request', ...bad } } },
        ],
      },
      { tenant: '_main', id: 'w' },
      compileEnv(),
    );

  /** The problems under each owner, by path relative to it: the three must be the same. */
  function sameUnderEachOwner(bad: Record<string, unknown>): string[] {
    const r = compileAll(bad);
    expect(r.ok).toBe(false);
    const detail = r.ok ? {} : r.detail;
    const under = (prefix: string) =>
      Object.entries(detail)
        .filter(([path]) => path.startsWith(prefix))
        .map(([path, list]) => [path.slice(prefix.length), list.map((d) => d.error)] as const)
        .sort(([a], [b]) => a.localeCompare(b));
    const check = under('checks[0].');
    expect(under('actions[0].')).toEqual(check);
    expect(under('actions[1].attachments.f.txt.')).toEqual(check);
    return check.map(([path]) => path);
  }

  it('refuses the same mistakes with the same messages, at the same place under each owner', () => {
    const paths = sameUnderEachOwner({
      request: { url: 'https://x.example', headers: { 'Bad Name': 'v' }, auth: { type: 'bearer', token: 't' }, retries: 1 },
      tls: { trust_all: true, pinned: 'x' },
      connection_timeout: '5 parsecs',
      read_timeout: -1,
      proxy: 'corporate proxy #1',
    });
    expect(paths).toEqual(expect.arrayContaining(['connection_timeout', 'proxy', 'read_timeout', 'request.auth.type', 'request.headers.Bad Name', 'request.retries', 'tls.pinned']));
    expect(sameUnderEachOwner({ request: { url: 'https://x.example', body: 'b', json_body_from: 'data' }, connection_timeout: '0s' })).toEqual([
      'connection_timeout',
      'request.json_body_from',
    ]);
  });
});
