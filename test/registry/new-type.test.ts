/**
 * Adding an action type is one manifest and one line in a registry list: a throw-away type, registered
 * beside Vigil's own, is accepted by the watch schema (and its unknown fields refused), stored, read and
 * tested through the accounts API, and put through the shared conformance suite, with nothing else
 * edited anywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { ActionType, DeliverDeps, DeliveryResult } from '../../src/actions/types.ts';
import { accountSchemas } from '../../src/actions/shared/account-schema.ts';
import { urlDestination } from '../../src/actions/shared/account-destination.ts';
import { responseDetail, send, statusFailure } from '../../src/actions/shared/http-outcome.ts';
import { testDeliverDeps } from '../../src/actions/shared/test-account.ts';
import { createRegistry, type RegistryTypes } from '../../src/registry/registry.ts';
import { builtinTypes } from '../../src/registry/builtin.ts';
import { compileWatch } from '../../src/watches/compile.ts';
import { actionConformance } from '../kit/action-conformance.ts';
import { compileEnv } from '../kit/runtime.ts';
import { bearer, startHarness, type Harness } from '../api/harness.ts';

const TOKEN = 'echoTokenSecretKK2468';

/** The whole of a new action type: posts `{message}` to its account's URL with a bearer token. */
const echoAccount = accountSchemas(z.strictObject({ url: z.url({ protocol: /^https?$/ }) }), z.strictObject({ token: z.string().min(1) }));
type EchoAccount = z.infer<typeof echoAccount.schema>;

async function post(message: string, deps: DeliverDeps<EchoAccount>): Promise<DeliveryResult> {
  const account = deps.account;
  if (!account) return { ok: false, retry: false, code: 'ACCOUNT_NOT_FOUND', message: 'echo needs an echo account' };
  const secrets = [account.token];
  const sent = await send(
    deps.http,
    { method: 'POST', url: account.url, headers: { authorization: `Bearer ${account.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ message }), signal: deps.signal },
    secrets,
  );
  if ('failure' in sent) return sent.failure;
  if (sent.res.status === 200) return { ok: true, detail: 'echoed' };
  return statusFailure(sent.res, deps.clock.now(), responseDetail(sent.res, secrets));
}

const echoAction: ActionType<{ message: string }, EchoAccount> = {
  type: 'echo',
  params: z.strictObject({ message: z.string().min(1) }),
  account: {
    ...echoAccount,
    required: true,
    destination: (a) => urlDestination(a.url),
    test: { body: z.strictObject({ message: z.string().optional() }), run: (a, body: { message?: string }, deps) => post(body.message ?? 'test', testDeliverDeps(a, deps, 'echo-test')) },
  },
  compile(p, env) {
    const message = env.template(p.message, 'plain');
    return { render: (view) => ({ kind: 'fire', request: message.render(view).text, summary: 'echo', destination: 'echo' }) };
  },
  deliver: (n, deps) => post(n.request as string, deps),
  conformance: {
    params: () => ({ message: 'hello {{data.x}}' }),
    account: { example: (base) => ({ url: `${base}/echo`, token: TOKEN }), secrets: [TOKEN] },
    overHttp: true,
  },
};

const types: RegistryTypes = { actions: [...builtinTypes.actions, echoAction], checks: builtinTypes.checks };
const registry = createRegistry(types);

describe('a new action type, registered', () => {
  it('is accepted by the watch schema, and its unknown fields are refused at their path', () => {
    const watch = (action: Record<string, unknown>) => ({ actions: [{ type: 'echo', name: 'e', account: 'main', ...action }] });
    const ok = compileWatch(watch({ message: 'disk at {{data.n}}' }), { tenant: '_main', id: 'w' }, { ...compileEnv(), registry });
    expect(ok.ok ? ok.watch.actions[0]!.type : ok.detail).toBe(echoAction);
    const bad = compileWatch(watch({ message: 'm', colour: 'red' }), { tenant: '_main', id: 'w' }, { ...compileEnv(), registry });
    expect(bad.ok ? null : bad.detail).toEqual({ 'actions[0].colour': [{ error: 'unknown field' }] });
    // Without the line in the registry, the watch schema does not know it.
    const unregistered = compileWatch(watch({ message: 'm' }), { tenant: '_main', id: 'w' }, compileEnv());
    expect(unregistered.ok ? null : Object.keys(unregistered.detail)).toEqual(['actions[0].type']);
  });

  describe('through the accounts API', () => {
    let h: Harness;
    let admin: Record<string, string>;
    let receiver: Server;
    const received: Array<{ auth: string | undefined; body: string }> = [];
    let url = '';
    beforeAll(async () => {
      receiver = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          received.push({ auth: req.headers.authorization, body });
          res.end('ok');
        });
      });
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/echo`;
      h = await startHarness({ egressAllow: ['127.0.0.1'], types });
      admin = { authorization: bearer(await h.tokenFor('root', ['admin'])) };
    });
    afterAll(async () => {
      await h?.close();
      receiver.closeAllConnections();
      await new Promise<void>((r) => receiver.close(() => r()));
    });

    it('PUT stores it with its secret sealed; GET shows only that the secret is set', async () => {
      const put = await h.call({ method: 'PUT', url: '/_signals/account/echo/main', headers: admin, payload: { url, token: TOKEN } });
      expect(put.statusCode, put.body).toBe(201);
      const get = await h.call({ method: 'GET', url: '/_signals/account/echo/main', headers: admin });
      expect(get.json()._source).toMatchObject({ url, token: { set: true } });
      const bad = await h.call({ method: 'PUT', url: '/_signals/account/echo/other', headers: admin, payload: { url, token: TOKEN, colour: 'red' } });
      expect(bad.statusCode).toBe(400);
    });

    it('_test sends through the type\'s own path with the sealed secret', async () => {
      const res = await h.call({ method: 'POST', url: '/_signals/account/echo/main/_test', headers: admin, payload: { message: 'ping' } });
      expect(res.json()).toMatchObject({ ok: true, detail: 'echoed' });
      expect(received.at(-1)).toEqual({ auth: `Bearer ${TOKEN}`, body: '{"message":"ping"}' });
      const refused = await h.call({ method: 'POST', url: '/_signals/account/echo/main/_test', headers: admin, payload: { colour: 'red' } });
      expect(refused.statusCode).toBe(400);
      expect(h.logs.join('') + h.bodies.join('')).not.toContain(TOKEN);
    });
  });

  const covered = actionConformance(registry);
  it('is put through the shared conformance suite', () => {
    expect(covered).toContain('echo');
  });
});
