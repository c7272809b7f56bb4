/**
 * The conformance suite of the action-type extension point, run against every action type
 * of a registry from the fixtures in its manifest (`conformance`): strict params that also validate in
 * the registry's watch schema, every account type (linked ones included) with config and secrets apart,
 * no secret in what is rendered, delivered or logged, and retry classification for 500, 400 and a
 * refused connection, for each type over HTTP and each linked sender account over HTTP.
 * Nothing here names a type: registering one is enough to put it through the suite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import type { ActionType, LinkedAccountType } from '../../src/actions/types.ts';
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

  // Every account type: the action types' own and their linked ones (e-mail's SES and Exchange senders, recipient groups).
  const accountFixtures = registry.accounts.map((a) => {
    const fixtures = a.role === 'own' ? { ...a.owner.conformance.account!, overHttp: a.owner.conformance.overHttp } : (a.manifest as LinkedAccountType).conformance;
    return [a.type, a, fixtures] as const;
  });

  describe.each(accountFixtures)('%s account', (_name, entry, fixtures) => {
    it('keeps config and secrets apart, in strict schemas, and its example holds every secret', () => {
      const account = entry.manifest;
      const schema = account.schema as unknown as z.ZodObject;
      const fields = (o: z.ZodObject) => Object.keys(o.shape);
      expect(fields(schema).sort()).toEqual([...fields(account.config), ...fields(account.secrets)].sort());
      expect(account.secretFields.map((f) => f.split('.')[0]).sort()).toEqual(fields(account.secrets).sort());
      expect(schema.safeParse({ no_such_field: 1 }).success).toBe(false);
      const example = fixtures.example('http://127.0.0.1:9') as Record<string, unknown>;
      expect(schema.safeParse(example).error?.issues ?? []).toEqual([]);
      for (const f of fields(account.secrets)) expect(example[f], `example sets secret ${f}`).toBeDefined();
      const config = Object.fromEntries(Object.entries(example).filter(([k]) => Object.hasOwn(account.config.shape, k)));
      for (const s of fixtures.secrets) expect(JSON.stringify(config)).not.toContain(s);
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

  const linkedSenders = registry.accounts.filter((a) => a.role === 'sender' && (a.manifest as LinkedAccountType).conformance.overHttp);
  describe.each(linkedSenders.map((a) => [`${a.owner.type} through ${a.type}`, a] as const))('%s over HTTP', (_name, entry) => {
    const type = entry.owner;
    const linked = entry.manifest as LinkedAccountType;
    const deliver = async (account: unknown) => {
      const c = type.compile(type.params.parse(type.conformance.params(base)), templateEnv());
      const n = c.render(view({ x: 'y' }), renderInfo());
      const d = deliverDeps(accountHttp({ account: linked }, account, http), account, { accountType: entry.type });
      const r = await type.deliver(n, d.deps);
      const everything = JSON.stringify(n) + JSON.stringify(r) + d.logText();
      for (const s of linked.conformance.secrets) expect(everything).not.toContain(s);
      return r;
    };

    it("declares its account URL as where the account's secrets go", () => {
      expect(linked.destination(linked.conformance.example(base))?.origins).toEqual([base]);
    });

    it('a 500 is a retryable failure, returned not thrown, with no secret anywhere', async () => {
      status = 500;
      expect(await deliver(linked.conformance.example(base))).toMatchObject({ ok: false, retry: true });
    });

    it('a 400 is a permanent failure with no secret anywhere', async () => {
      status = 400;
      expect(await deliver(linked.conformance.example(base))).toMatchObject({ ok: false, retry: false });
    });

    it('a refused connection is a retryable failure with no secret anywhere', async () => {
      expect(await deliver(linked.conformance.example('http://127.0.0.1:1'))).toMatchObject({ ok: false, retry: true });
    });
  });

  // Every account type that can be a channel: an own account of a type with a channel format, or one
  // of its linked senders (an SES account), formatted by the owner and sent with that account.
  const channelEntries = registry.channelTypes.map((name) => registry.accountType(name)!);
  describe.each(channelEntries.map((e) => [e.type, e] as const))('%s channel', (_name, entry) => {
    const type = entry.owner;
    const fixture = entry.role === 'own' ? { ...type.conformance.account!, overHttp: type.conformance.overHttp } : (entry.manifest as LinkedAccountType).conformance;
    const msg = { subject: 'Disk "full" <@U1> & co\r\nBcc: x@evil.example', message: 'hello <!here> & {"x": 1}\nline 2', severity: 'warning' };
    const formatted = (account: unknown) => type.channel!.format(msg, account);

    it('formats a channel message into a notification that carries no secret of the account', () => {
      const n = formatted(fixture.example(base));
      expect(n.kind).toBe('fire');
      expect(JSON.parse(JSON.stringify(n))).toEqual(n);
      for (const s of fixture.secrets) expect(JSON.stringify(n)).not.toContain(s);
    });

    // A linked sender sends over HTTP in the suite above; here it would only lack the recipients its
    // owner's channel format leaves to the account's defaults.
    it.runIf(entry.role === 'own' && fixture.overHttp)('sent by its own deliver: a 500 is retryable, a 400 permanent, with no secret anywhere', async () => {
      for (const [code, retry] of [[500, true], [400, false]] as const) {
        status = code;
        const account = fixture.example(base);
        const n = formatted(account);
        const d = deliverDeps(accountHttp({ account: entry.manifest }, account, http), account);
        const r = await type.deliver(n, d.deps);
        expect(r).toMatchObject({ ok: false, retry });
        const everything = JSON.stringify(n) + JSON.stringify(r) + d.logText();
        for (const s of fixture.secrets) expect(everything).not.toContain(s);
      }
    });
  });

  return types.map((t) => t.type);
}
