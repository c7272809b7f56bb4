/**
 * Signals' stored proxies and trust stores through the whole app: CRUD in Signals' shapes, the proxy
 * password sealed and never returned, PEMs checked at PUT, watches naming an unknown one refused with
 * the field's path, a DELETE of one in use answered 409 naming the watches, and none of them listed
 * among the accounts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { makeTestPki, type TestPki } from '../kit/certs.ts';
import { redactBody } from '../../src/security/audit-redact.ts';
import { bearer, startAdminHarness, startHarness, type AdminHarness, type Harness } from './harness.ts';

const PASSWORD = 'S3cret-proxy-pw-Kilo';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(join(e.parentPath, e.name));
  return out;
}

const httpWatch = (extra: Record<string, unknown>) => ({
  trigger: { schedule: { interval: '1h' } },
  checks: [{ type: 'http', name: 'probe', target: 'probe', request: { url: 'http://127.0.0.1:9/x' }, ...extra }],
  actions: [],
});

describe('stored proxies', () => {
  let h: AdminHarness;
  beforeAll(async () => {
    h = await startAdminHarness();
  });
  afterAll(() => h?.close());

  it('PUT takes Signals\' {name, uri}; the URI\'s password is sealed apart and shown only as its status', async () => {
    const put = await h.call({ method: 'PUT', url: '/_signals/proxies/my-proxy', headers: h.admin, payload: { name: 'my test proxy', uri: `http://ops:${PASSWORD}@127.0.0.1:9199` } });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ status: 200, data: { id: 'my-proxy', name: 'my test proxy', uri: 'http://ops@127.0.0.1:9199', password: { set: true } } });
    const get = await h.call({ method: 'GET', url: '/_signals/proxies/my-proxy', headers: h.admin });
    expect(get.json().data).toMatchObject({ id: 'my-proxy', uri: 'http://ops@127.0.0.1:9199', password: { set: true, kid: expect.any(String) } });
    expect(await h.app.accounts!.proxies.url('my-proxy')).toBe(`http://ops:${PASSWORD}@127.0.0.1:9199/`);
    // Signals names a proxy "127.0.0.1:9199" in its documentation: such an id works too.
    expect((await h.call({ method: 'PUT', url: '/_signals/proxies/127.0.0.1:9199', headers: h.admin, payload: { uri: 'http://127.0.0.1:9199' } })).statusCode).toBe(200);
    for (const url of ['/_signals/proxies', '/_signals/proxies/']) {
      const list = await h.call({ method: 'GET', url, headers: h.admin });
      expect(list.json().data.map((p: { id: string }) => p.id)).toEqual(['127.0.0.1:9199', 'my-proxy']);
    }
  });

  it('a PUT without the password keeps it only for the same URI; another host or user drops it', async () => {
    await h.call({ method: 'PUT', url: '/_signals/proxies/my-proxy', headers: h.admin, payload: { name: 'renamed', uri: 'http://ops@127.0.0.1:9199' } });
    expect(await h.app.accounts!.proxies.url('my-proxy')).toBe(`http://ops:${PASSWORD}@127.0.0.1:9199/`);
    await h.call({ method: 'PUT', url: '/_signals/proxies/my-proxy', headers: h.admin, payload: { uri: 'http://ops@127.0.0.2:9199' } });
    expect(await h.app.accounts!.proxies.url('my-proxy')).toBe('http://ops@127.0.0.2:9199/');
    expect((await h.call({ method: 'GET', url: '/_signals/proxies/my-proxy', headers: h.admin })).json().data.password).toBeUndefined();
    // `password` apart sets it; `null` clears it.
    await h.call({ method: 'PUT', url: '/_signals/proxies/my-proxy', headers: h.admin, payload: { uri: 'http://ops@127.0.0.1:9199', password: PASSWORD } });
    expect(await h.app.accounts!.proxies.url('my-proxy')).toBe(`http://ops:${PASSWORD}@127.0.0.1:9199/`);
    await h.call({ method: 'PUT', url: '/_signals/proxies/my-proxy', headers: h.admin, payload: { uri: 'http://ops@127.0.0.1:9199', password: null } });
    expect(await h.app.accounts!.proxies.url('my-proxy')).toBe('http://ops@127.0.0.1:9199/');
    await h.call({ method: 'PUT', url: '/_signals/proxies/my-proxy', headers: h.admin, payload: { uri: `http://ops:${PASSWORD}@127.0.0.1:9199` } });
  });

  it('bad bodies and ids are refused by field, without quoting the URI', async () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['p1', { uri: 'http://127.0.0.1:9199', port: 1 }, 'port'],
      ['p1', { uri: `ftp://ops:${PASSWORD}@127.0.0.1` }, 'uri'],
      ['p1', { uri: `http://ops:${PASSWORD}@127.0.0.1:9199/path?x=1` }, 'uri'],
      ['p1', { uri: `http://:${PASSWORD}@127.0.0.1:9199` }, 'uri'],
      ['p1', { uri: `http://ops:${PASSWORD}@127.0.0.1:9199`, password: 'other' }, 'password'],
      ['p1', { name: 'no uri' }, 'uri'],
    ];
    for (const [id, payload, field] of cases) {
      const res = await h.call({ method: 'PUT', url: `/_signals/proxies/${id}`, headers: h.admin, payload });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().code).toBe('INVALID_REQUEST');
      expect(Object.keys(res.json().detail)).toEqual([field]);
    }
    for (const id of ['default', 'NONE', 'http:x', 'https:y', '-x', '.x', 'a b']) {
      const res = await h.call({ method: 'PUT', url: `/_signals/proxies/${encodeURIComponent(id)}`, headers: h.admin, payload: { uri: 'http://127.0.0.1:1' } });
      expect(res.statusCode, id).toBe(400);
      expect(res.json().code, id).toBe('INVALID_ID');
    }
    expect((await h.call({ method: 'GET', url: '/_signals/proxies/p1', headers: h.admin })).statusCode).toBe(404);
  });

  it('a watch naming an unknown proxy is refused at checks[0].proxy; one in use cannot be deleted (409 naming the watch)', async () => {
    const bad = await h.call({ method: 'PUT', url: '/_signals/watch/_main/via-missing', headers: h.admin, payload: httpWatch({ proxy: 'no-such-proxy' }) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toEqual({ 'checks[0].proxy': [{ error: "no stored proxy 'no-such-proxy'" }] });
    const ok = await h.call({ method: 'PUT', url: '/_signals/watch/_main/via-proxy', headers: h.admin, payload: httpWatch({ proxy: 'my-proxy' }) });
    expect(ok.statusCode, ok.body).toBe(201);
    const del = await h.call({ method: 'DELETE', url: '/_signals/proxies/my-proxy', headers: h.admin });
    expect(del.statusCode).toBe(409);
    expect(del.json()).toMatchObject({ code: 'CONFLICT', detail: { watches: [{ value: '_main/via-proxy' }] } });
    expect((await h.call({ method: 'DELETE', url: '/_signals/watch/_main/via-proxy', headers: h.admin })).statusCode).toBe(200);
    expect((await h.call({ method: 'DELETE', url: '/_signals/proxies/my-proxy', headers: h.admin })).json()).toEqual({ status: 200 });
    expect((await h.call({ method: 'DELETE', url: '/_signals/proxies/my-proxy', headers: h.admin })).statusCode).toBe(404);
    expect((await h.call({ method: 'GET', url: '/_signals/proxies/my-proxy', headers: h.admin })).statusCode).toBe(404);
  });

  it('changes are audited; a request body kept by the audit log loses the URI\'s password', async () => {
    const { hits } = await h.security.auditLog.query({ size: 10_000 });
    const puts = hits.filter((e) => e.method === 'PUT' && e.path === '/_signals/proxies/my-proxy');
    expect(puts.some((e) => e.user === 'root' && e.category === 'GRANTED_PRIVILEGES' && e.status === 200)).toBe(true);
    expect(hits.some((e) => e.method === 'DELETE' && e.path === '/_signals/proxies/my-proxy' && e.status === 409)).toBe(true);
    const body = redactBody('/_signals/proxies/:id', { name: 'p', uri: `http://ops:${PASSWORD}@127.0.0.1:9199`, password: PASSWORD });
    expect(body).toContain('127.0.0.1:9199');
    expect(body).not.toContain(PASSWORD);
  });

  it('never listed among accounts, and no password in any response, audit record, log line or file', async () => {
    const search = await h.call({ method: 'GET', url: '/_signals/account/_search?size=1000', headers: h.admin });
    expect(search.json().hits.total.value).toBe(0);
    expect(search.body).not.toContain('proxy');
    const audit = JSON.stringify(await h.security.auditLog.query({ size: 10_000 }));
    const files = await Promise.all((await filesUnder(join(h.base, 'accounts'))).map((f) => readFile(f, 'utf8')));
    expect(files.join('\n')).toContain('_internal_id');
    const haystacks = { responses: h.bodies.join('\n'), audit, logs: h.logs.join(''), files: files.join('\n') };
    for (const [where, text] of Object.entries(haystacks)) expect(text.includes(PASSWORD), where).toBe(false);
  });
});

describe('stored trust stores', () => {
  let h: AdminHarness;
  let pki: TestPki;
  beforeAll(async () => {
    [h, pki] = await Promise.all([startAdminHarness(), makeTestPki()]);
  });
  afterAll(() => h?.close());

  it('PUT takes Signals\' {name, pem} and answers each certificate\'s subject, issuer, validity and serial', async () => {
    const pem = `${pki.caCert.trim()}\n${pki.server.cert.trim()}\n`;
    const put = await h.call({ method: 'PUT', url: '/_signals/truststores/iot-truststore', headers: h.admin, payload: { name: 'iot', pem } });
    expect(put.statusCode, put.body).toBe(200);
    const data = put.json().data;
    expect(data).toMatchObject({ id: 'iot-truststore', name: 'iot', raw_pem: pem });
    expect(data.certificates).toHaveLength(2);
    expect(data.certificates[0]).toMatchObject({ subject: 'CN=Vigil Test CA', issuer: 'CN=Vigil Test CA', serial_number: expect.stringMatching(/^\d+$/) });
    expect(data.certificates[1]).toMatchObject({ subject: 'CN=localhost', issuer: 'CN=Vigil Test CA' });
    expect(Date.parse(data.certificates[1].not_after)).toBeGreaterThan(Date.parse(data.certificates[1].not_before));
    expect(data.certificates[0].pem).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----$/);
    expect((await h.call({ method: 'GET', url: '/_signals/truststores/iot-truststore', headers: h.admin })).json().data).toEqual(data);
    expect((await h.call({ method: 'GET', url: '/_signals/truststores/', headers: h.admin })).json().data.map((t: { id: string }) => t.id)).toEqual(['iot-truststore']);
  });

  it('refuses garbage, other PEM blocks and private keys at pem, never echoing them', async () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const cases: Array<[string, RegExp]> = [
      ['not a certificate at all', /no PEM certificate/],
      ['-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n', /certificate 1 cannot be parsed/],
      [`${pki.caCert}${key}`, /block 2 is a private key/],
      ['-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n', /not a CERTIFICATE/],
    ];
    for (const [pem, why] of cases) {
      const res = await h.call({ method: 'PUT', url: '/_signals/truststores/bad', headers: h.admin, payload: { pem } });
      expect(res.statusCode).toBe(400);
      expect(res.json().detail.pem[0].error).toMatch(why);
      expect(res.body).not.toContain(key.split('\n')[1]);
    }
    const unknown = await h.call({ method: 'PUT', url: '/_signals/truststores/bad', headers: h.admin, payload: { pem: pki.caCert, certs: [] } });
    expect(Object.keys(unknown.json().detail)).toEqual(['certs']);
    expect((await h.call({ method: 'GET', url: '/_signals/truststores/bad', headers: h.admin })).statusCode).toBe(404);
  });

  it('a watch naming an unknown trust store is refused at the field\'s path; DELETE of one in use is 409', async () => {
    const watch = {
      trigger: { schedule: { interval: '1h' } },
      checks: [],
      actions: [{ type: 'webhook', name: 'a', request: { url: 'https://127.0.0.1:9/x' } }, { type: 'webhook', name: 'b', request: { url: 'https://127.0.0.1:9/y' }, tls: { truststore_id: 'missing', client_session_timeout: 1 } }],
    };
    const bad = await h.call({ method: 'PUT', url: '/_signals/watch/_main/tls', headers: h.admin, payload: watch });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toEqual({ 'actions[1].tls.truststore_id': [{ error: "no stored trust store 'missing'" }] });
    watch.actions[1]!.tls!.truststore_id = 'iot-truststore';
    expect((await h.call({ method: 'PUT', url: '/_signals/watch/_main/tls', headers: h.admin, payload: watch })).statusCode).toBe(201);
    const del = await h.call({ method: 'DELETE', url: '/_signals/truststores/iot-truststore', headers: h.admin });
    expect(del.statusCode).toBe(409);
    expect(del.json().error).toContain('_main/tls');
  });
});

describe('without a master key', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ masterKey: false });
  });
  afterAll(() => h?.close());

  it('the registries answer 503, and a watch naming a stored proxy is refused', async () => {
    const admin = { authorization: bearer(await h.tokenFor('root', ['admin'])) };
    for (const url of ['/_signals/proxies/p', '/_signals/truststores/t', '/_signals/proxies']) {
      const res = await h.call({ method: 'GET', url, headers: admin });
      expect(res.statusCode).toBe(503);
      expect(res.json().code).toBe('ACCOUNTS_UNAVAILABLE');
    }
    const put = await h.call({ method: 'PUT', url: '/_signals/watch/_main/w', headers: admin, payload: httpWatch({ proxy: 'p' }) });
    expect(put.json().detail).toEqual({ 'checks[0].proxy': [{ error: "stored proxy 'p' cannot be used: no master key is configured" }] });
  });
});
