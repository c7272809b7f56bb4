/**
 * Accounts on the cluster: the registry over the cluster's accounts index keeps the same sealed
 * documents the accounts folder keeps (same key ring, same AAD), checks the master key against a
 * key-check record kept in the index, rotates there (resumably), and never overwrites another
 * process's write unseen (compare-and-set).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../cluster/server.ts';
import { FakeClock } from '../kit/fake-clock.ts';
import { silentLogger } from '../../src/log.ts';
import { createDocStore } from '../../src/cluster/docstore.ts';
import type { DocStoreClient } from '../../src/cluster/docstore-types.ts';
import { ensureIndices } from '../../src/state/cluster/setup.ts';
import { indexNames } from '../../src/state/cluster/names.ts';
import { ClusterAccountStore } from '../../src/accounts/cluster-store.ts';
import { AccountFileStore } from '../../src/accounts/store.ts';
import { envelopeKid } from '../../src/accounts/seal.ts';
import { rotateKeys } from '../../src/accounts/cli.ts';
import { key, openTest, ringOf, tempDir, testTypes } from './fixtures.ts';

const email = { host: 'smtp.example.com', user: 'ops', password: 'Pa55-word!', proxy_host: 'socks', proxy_password: 'pr0xy-secret' };

describe.each(['es9', 'os2'] as const)('accounts on the cluster (%s)', (flavour) => {
  let cluster: TestCluster;
  let ds: DocStoreClient;
  beforeAll(async () => {
    cluster = await startTestCluster({ flavour });
    ds = createDocStore({ name: 'state', urls: [cluster.url] }, silentLogger());
  });
  afterAll(async () => {
    await ds.close();
    await cluster.close();
  });

  async function index(): Promise<string> {
    const names = indexNames(`vt-${randomBytes(4).toString('hex')}`);
    await ensureIndices(ds, names, silentLogger());
    return names.accounts;
  }
  const storeOn = (idx: string, docs: DocStoreClient = ds) => new ClusterAccountStore({ docs, index: idx, clock: new FakeClock() });

  it('keeps the sealed document the folder keeps: secrets sealed, never in clear in the cluster, resolved with the same key', async () => {
    const idx = await index();
    const ring = await ringOf(key(1));
    const reg = await openTest('', ring, { dir: undefined, store: storeOn(idx) });
    expect(await reg.put('email', 'ops', email)).toEqual({ created: true });
    expect(await reg.put('email', 'ops', email)).toEqual({ created: false });
    await reg.put('webhook', 'hook', { url: 'https://example.com/h', headers: { authorization: 'Bearer t0ken-xyz' } });
    const raw = JSON.stringify([...cluster.store.get(idx).docs.values()].map((d) => d.source));
    for (const secret of ['Pa55-word!', 'pr0xy-secret', 't0ken-xyz']) expect(raw).not.toContain(secret);
    const stored = await storeOn(idx).read('email', 'ops');
    expect(envelopeKid(stored!.password as string)).toBe(ring.activeKid);
    expect(await reg.resolve('email', 'ops')).toEqual({ ...email, port: 25 });
    expect(await reg.list()).toEqual([{ type: 'email', id: 'ops' }, { type: 'webhook', id: 'hook' }]);
    expect((await reg.search({ type: 'email' })).hits.map((h) => h.id)).toEqual(['ops']);

    // A copy of the document into an accounts folder opens there with the same key: same seal, same AAD.
    const { dir, cleanup } = await tempDir();
    try {
      const files = new AccountFileStore(dir);
      await files.init();
      await files.write('email', 'ops', stored!);
      await files.keyCheck.write(await storeOn(idx).keyCheck.read());
      expect(await (await openTest(dir, ring)).resolve('email', 'ops')).toEqual({ ...email, port: 25 });
    } finally {
      await cleanup();
    }
    expect(await reg.delete('email', 'ops')).toEqual({ deleted: true });
    expect(await reg.exists('email', 'ops')).toBe(false);
  });

  it('a daemon with another master key refuses to start: the key-check record is in the cluster', async () => {
    const idx = await index();
    await (await openTest('', await ringOf(key(1)), { dir: undefined, store: storeOn(idx) })).put('email', 'ops', email);
    expect(cluster.store.get(idx).docs.has('.keycheck')).toBe(true);
    await expect(openTest('', await ringOf(key(9)), { dir: undefined, store: storeOn(idx) })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/^master key does not match the key ring \(kid /),
    });
  });

  it('keeps the common fields, expect, disabled accounts and holders() on the cluster too', async () => {
    const idx = await index();
    const clock = new FakeClock('2026-03-01T12:00:00Z');
    const reg = await openTest('', await ringOf(key(1)), { dir: undefined, store: storeOn(idx), clock });
    const hook = { url: 'https://h.example/x', headers: { 'X-Key': 'hdr-secret-ZZ91' } };
    expect(await reg.put('webhook', 'shared', { ...hook, name: 'Ops hook', enabled: false }, { expect: 'create' })).toEqual({ created: true });
    await expect(reg.put('webhook', 'shared', hook, { expect: 'create' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(reg.put('webhook', 'none', hook, { expect: 'update' })).rejects.toMatchObject({ code: 'ACCOUNT_NOT_FOUND' });
    await reg.put('email', 'shared', { host: 'smtp.example.com' });
    expect(cluster.store.get(idx).docs.get('webhook:shared')!.source).toMatchObject({ doc: { name: 'Ops hook', enabled: false, _created_at: '2026-03-01T12:00:00.000Z' } });
    await expect(reg.resolve('webhook', 'shared')).rejects.toMatchObject({ code: 'ACCOUNT_DISABLED' });
    expect(await reg.resolve('webhook', 'shared', { allowDisabled: true })).toEqual(hook);
    expect(await reg.holders('shared', ['webhook', 'email', 'slack'])).toEqual(['email', 'webhook']);
    expect(await reg.holders('nobody', ['webhook', 'email'])).toEqual([]);
    await clock.advance(60_000);
    await reg.update('webhook', 'shared', (current) => ({ ...current, enabled: true }));
    expect(await reg.resolve('webhook', 'shared')).toEqual(hook);
    expect((await reg.getPublic('webhook', 'shared')).created_at).toBe('2026-03-01T12:00:00.000Z');
  });

  it('update() builds its body again from the version another process wrote in between, so that write is kept', async () => {
    const idx = await index();
    const ring = await ringOf(key(1));
    const other = await openTest('', ring, { dir: undefined, store: storeOn(idx) });
    const hook = { url: 'https://h.example/x', headers: { 'X-Key': 'hdr-secret-ZZ91' } };
    await other.put('webhook', 'ops', { ...hook, name: 'Ops' });
    // The first read of this process's update is followed by the other process's change of the description
    // (armed once this process is open: opening reads every account too).
    let armed = false;
    let raced = false;
    const racedGet = async (i: string, id: string) => {
      const d = await ds.get(i, id);
      if (armed && !raced && id === 'webhook:ops') {
        raced = true;
        await other.update('webhook', 'ops', (current) => ({ ...current, description: 'set by the other process' }));
      }
      return d;
    };
    const racing = new Proxy(ds, {
      get: (target, p) => (p === 'get' ? racedGet : typeof target[p as keyof DocStoreClient] === 'function' ? (target[p as keyof DocStoreClient] as Function).bind(target) : target[p as keyof DocStoreClient]),
    });
    const reg = await openTest('', ring, { dir: undefined, store: storeOn(idx, racing) });
    armed = true;
    const seen: unknown[] = [];
    await reg.update('webhook', 'ops', (current) => {
      seen.push(current);
      return { ...current, name: 'Ops team' };
    });
    expect(raced).toBe(true);
    expect(seen).toHaveLength(2);
    expect(seen[1]).toMatchObject({ description: 'set by the other process' });
    expect((await other.getPublic('webhook', 'ops')).account).toMatchObject({ name: 'Ops team', description: 'set by the other process' });
    expect(await other.resolve('webhook', 'ops')).toEqual(hook);
  });

  it('rotates on the cluster, and a second run finds nothing left to do', async () => {
    const idx = await index();
    await (await openTest('', await ringOf(key(1)), { dir: undefined, store: storeOn(idx) })).put('email', 'ops', email);
    const ring = await ringOf(key(2), key(1));
    const first = await rotateKeys({ store: storeOn(idx), keyring: ring, types: testTypes, logger: silentLogger(), clock: new FakeClock() });
    expect(first).toEqual({ total: 1, successful: 1, failed: 0 });
    const doc = await storeOn(idx).read('email', 'ops');
    expect([envelopeKid(doc!.password as string), envelopeKid(doc!.proxy_password as string)]).toEqual([ring.activeKid, ring.activeKid]);
    const seqNo = cluster.store.get(idx).docs.get('email:ops')!.seqNo;
    expect(await rotateKeys({ store: storeOn(idx), keyring: ring, types: testTypes, logger: silentLogger(), clock: new FakeClock() })).toEqual(first);
    expect(cluster.store.get(idx).docs.get('email:ops')!.seqNo).toBe(seqNo);
  });

  it('a stored proxy changed by another process is resolved anew within 2 s (its cache expires on a shared store)', async () => {
    const idx = await index();
    const ring = await ringOf(key(1));
    const clock = new FakeClock();
    const [writer, reader] = [await openTest('', ring, { dir: undefined, store: storeOn(idx) }), await openTest('', ring, { dir: undefined, store: storeOn(idx), clock })];
    await writer.proxies.put('corp', { uri: 'http://ops:first-Pa55@127.0.0.1:3128' });
    expect(await reader.proxies.url('corp')).toBe('http://ops:first-Pa55@127.0.0.1:3128/');
    await writer.proxies.put('corp', { uri: 'http://ops:second-Pa55@127.0.0.2:3128' });
    await clock.advance(2000);
    expect(await reader.proxies.url('corp')).toBe('http://ops:second-Pa55@127.0.0.2:3128/');
  });

  it('a write names the version it read: another process’s write in between is not lost', async () => {
    const idx = await index();
    const ring = await ringOf(key(2), key(1));
    const daemon = await openTest('', await ringOf(key(1), key(2)), { dir: undefined, store: storeOn(idx) });
    await daemon.put('email', 'ops', email);
    // The rotation's read of the account is followed by a daemon's PUT of a new password (armed once the
    // rotating process is open: opening reads every account too).
    let armed = false;
    let raced = false;
    const racedGet = async (i: string, id: string) => {
      const d = await ds.get(i, id);
      if (armed && !raced && id === 'email:ops') {
        raced = true;
        await daemon.put('email', 'ops', { ...email, password: 'n3w-Pa55' });
      }
      return d;
    };
    const racing = new Proxy(ds, {
      get: (target, p) => (p === 'get' ? racedGet : typeof target[p as keyof DocStoreClient] === 'function' ? (target[p as keyof DocStoreClient] as Function).bind(target) : target[p as keyof DocStoreClient]),
    });
    const rotator = await openTest('', ring, { dir: undefined, store: storeOn(idx, racing) });
    armed = true;
    expect(await rotator.rotate()).toEqual({ total: 1, successful: 1, failed: 0 });
    expect(raced).toBe(true);
    const reader = await openTest('', ring, { dir: undefined, store: storeOn(idx) });
    expect(await reader.resolve('email', 'ops')).toMatchObject({ password: 'n3w-Pa55' });
    expect(envelopeKid((await storeOn(idx).read('email', 'ops'))!.password as string)).toBe(ring.activeKid);
    // At the store: a write naming a stale version, or "only if absent" over an existing one, is a conflict.
    const s = storeOn(idx);
    const read = await s.readVersioned('email', 'ops');
    await s.write('email', 'ops', read!.doc, read!.version);
    await expect(s.write('email', 'ops', read!.doc, read!.version)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(s.write('email', 'ops', read!.doc, null)).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});
