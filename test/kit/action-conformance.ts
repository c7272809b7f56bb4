/**
 * The conformance suite of the action-type extension point, run against every action type
 * of a registry from the fixtures in its manifest (`conformance`): strict params that also validate in
 * the registry's watch schema, an account with config and secrets apart, no secret in what is
 * rendered, delivered or logged, and retry classification for 500, 400 and a refused connection.
 * Nothing here names a type: registering one is enough to put it through the suite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import type { ActionType } from '../../src/actions/types.ts';
import type { HttpClient } from '../../src/net/types.ts';
import type { TypeRegistry } from '../../src/registry/registry.ts';
import { accountHttp } from '../../src/actions/shared/account-destination.ts';
import { watchSchemaFor } from '../../src/watches/schema.ts';
import { createTestHttpClient } from './undici-http.ts';
import { templateEnv } from './template-env.ts';
import { deliverDeps, renderInfo, view } from './action-deps.ts';

/**
 * Declares the suite for every action type of `registry` (call it at the top level of a test file);
 * returns the names of the types it covers.
 */
export function actionConformance(registry: TypeRegistry): string[] {
  const types = registry.actions;
  const named = (list: readonly ActionType[]) => list.map((t) => [t.type, t] as const);

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

  describe.each(named(types))('%s params', (name, type) => {
    it('a valid sample parses, also as an action of a watch; an unknown key is rejected', () => {
      const p = type.conformance.params('http://127.0.0.1:9');
      expect(type.params.safeParse(p).success).toBe(true);
      const r = type.params.safeParse({ ...p, no_such_field: 1 });
      expect(r.success).toBe(false);
      expect(r.error!.issues.some((i) => i.code === 'unrecognized_keys')).toBe(true);
      const watch = watchSchemaFor(registry).safeParse({ actions: [{ type: name, name: 'a', ...p }] });
      expect(watch.error?.issues ?? []).toEqual([]);
      const unknown = watchSchemaFor(registry).safeParse({ actions: [{ type: name, name: 'a', ...p, no_such_field: 1 }] });
      expect(unknown.error?.issues.map((i) => [i.code, i.path.join('.'), (i as { keys?: string[] }).keys])).toEqual([['unrecognized_keys', 'actions.0', ['no_such_field']]]);
    });
  });

  describe.each(named(types.filter((t) => t.account)))('%s account', (_name, type) => {
    it('keeps config and secrets apart, in strict schemas, and its example holds every secret', () => {
      const account = type.account!;
      const schema = account.schema as unknown as z.ZodObject;
      const fields = (o: z.ZodObject) => Object.keys(o.shape);
      expect(fields(schema).sort()).toEqual([...fields(account.config), ...fields(account.secrets)].sort());
      expect(account.secretFields.map((f) => f.split('.')[0]).sort()).toEqual(fields(account.secrets).sort());
      expect(schema.safeParse({ no_such_field: 1 }).success).toBe(false);
      const example = type.conformance.account!.example('http://127.0.0.1:9') as Record<string, unknown>;
      expect(schema.safeParse(example).error?.issues ?? []).toEqual([]);
      for (const f of fields(account.secrets)) expect(example[f], `example sets secret ${f}`).toBeDefined();
      const config = Object.fromEntries(Object.entries(example).filter(([k]) => Object.hasOwn(account.config.shape, k)));
      for (const s of type.conformance.account!.secrets) expect(JSON.stringify(config)).not.toContain(s);
    });
  });

  describe.each(named(types.filter((t) => t.conformance.overHttp)))('%s over HTTP', (_name, type) => {
    const accountAt = (url: string) => type.conformance.account?.example(url);
    const deliver = async (account: unknown) => {
      const c = type.compile(type.params.parse(type.conformance.params(base)), templateEnv());
      const n = c.render(view({ x: 'y' }), renderInfo());
      // The client a delivery gets: pinned to the destination the type declares for this account.
      const d = deliverDeps(accountHttp(type, account, http), account);
      const r = await type.deliver(n, d.deps);
      const everything = JSON.stringify(n) + JSON.stringify(r) + d.logText();
      for (const s of type.conformance.account?.secrets ?? []) expect(everything).not.toContain(s);
      return r;
    };

    it.runIf(type.account)('declares its account URL as where the account\'s secrets go', () => {
      const dest = type.account!.destination(accountAt(base));
      expect(dest?.origins).toEqual([base]);
    });

    it('a 500 is a retryable failure, returned not thrown, with no secret anywhere', async () => {
      status = 500;
      expect(await deliver(accountAt(base))).toMatchObject({ ok: false, retry: true });
    });

    it('a 400 is a permanent failure with no secret anywhere', async () => {
      status = 400;
      expect(await deliver(accountAt(base))).toMatchObject({ ok: false, retry: false });
    });

    it.runIf(type.account)('a refused connection is a retryable failure with no secret anywhere', async () => {
      expect(await deliver(accountAt('http://127.0.0.1:1'))).toMatchObject({ ok: false, retry: true });
    });

    it.runIf(type.account?.required)('without its account: fails permanently instead of throwing', async () => {
      const c = type.compile(type.params.parse(type.conformance.params(base)), templateEnv());
      const r = await type.deliver(c.render(view({ x: 'y' }), renderInfo()), deliverDeps(http, undefined).deps);
      expect(r).toMatchObject({ ok: false, retry: false });
    });
  });

  describe.each(named(registry.channelTypes.map((name) => registry.accountType(name)!.owner)))('%s channel', (_name, type) => {
    const msg = { subject: 'Disk "full" <@U1> & co\r\nBcc: x@evil.example', message: 'hello <!here> & {"x": 1}\nline 2', severity: 'warning' };
    const formatted = (account: unknown) => type.channel!.format(msg, account);

    it('formats a channel message into a notification that carries no secret of the account', () => {
      const n = formatted(type.conformance.account!.example(base));
      expect(n.kind).toBe('fire');
      expect(JSON.parse(JSON.stringify(n))).toEqual(n);
      for (const s of type.conformance.account!.secrets) expect(JSON.stringify(n)).not.toContain(s);
    });

    it.runIf(type.conformance.overHttp)('sent by its own deliver: a 500 is retryable, a 400 permanent, with no secret anywhere', async () => {
      for (const [code, retry] of [[500, true], [400, false]] as const) {
        status = code;
        const account = type.conformance.account!.example(base);
        const n = formatted(account);
        const d = deliverDeps(accountHttp(type, account, http), account);
        const r = await type.deliver(n, d.deps);
        expect(r).toMatchObject({ ok: false, retry });
        const everything = JSON.stringify(n) + JSON.stringify(r) + d.logText();
        for (const s of type.conformance.account!.secrets) expect(everything).not.toContain(s);
      }
    });
  });

  return types.map((t) => t.type);
}
