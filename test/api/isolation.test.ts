/**
 * Tenant isolation end to end, through the REST API with the real security service, a test cluster and
 * the file watch repository: two tenants, two watch managers whose roles reach their own tenant and
 * their own indices of the `default` cluster. A tenant-A manager cannot make a watch that searches or
 * writes a tenant-B index, uses a tenant-B account or reaches another cluster: literal names are
 * refused at PUT with the field's path, rendered ones fail the run (INDEX_FORBIDDEN) before any call.
 * Channels are accounts, and limited to tenants the same way.
 */
import { cpSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startHarness, type Harness } from './harness.ts';
import { startTestCluster, type TestCluster } from '../cluster/server.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../kit/receivers/webhook.ts';
import { sampleData } from '../cluster/sample-data.ts';

const SEC = '/_plugins/_security/api';
let cluster: TestCluster;
let hook: WebhookReceiver;
let h: Harness;
const as: Record<'root' | 'alice' | 'bob', Record<string, string>> = { root: {}, alice: {}, bob: {} };

const team = (tenant: string) => ({
  tenant_permissions: [{ tenant_patterns: [tenant], allowed_actions: ['VIGIL_WATCH_MANAGE'] }],
  index_permissions: [{ index_patterns: [`${tenant}-*`], allowed_actions: ['read', 'index'], clusters: ['default'] }],
});

beforeAll(async () => {
  cluster = await startTestCluster({ flavour: 'es8' });
  cluster.seed('a-logs', [{ level: 'error', team: 'a' }]);
  cluster.seed('b-logs', [{ level: 'error', team: 'b', secret: 'b-only' }]);
  hook = await startWebhookReceiver();
  h = await startHarness({
    egressAllow: ['127.0.0.1'],
    config: { clusters: { default: { urls: [cluster.url] }, other: { urls: [cluster.url] }, imp: { urls: [cluster.url], impersonate: true } } },
  });
  as.root = { authorization: bearer(await h.tokenFor('root', ['admin'])) };
  for (const t of ['a', 'b']) {
    expect((await h.call({ method: 'PUT', url: `${SEC}/roles/team_${t}`, headers: as.root, payload: team(t) })).statusCode).toBe(201);
    expect((await h.call({ method: 'PUT', url: `${SEC}/tenants/${t}`, headers: as.root, payload: { run_as_role: `team_${t}` } })).statusCode).toBe(201);
  }
  as.alice = { authorization: bearer(await h.tokenFor('alice', ['team_a'])) };
  as.bob = { authorization: bearer(await h.tokenFor('bob', ['team_b'])) };
  const put = await h.call({ method: 'PUT', url: '/_signals/account/webhook/hook_b', headers: as.root, payload: { url: `${hook.url}/b`, tenants: ['b'] } });
  expect(put.statusCode).toBe(201);
});
afterAll(async () => {
  await h?.close();
  await hook?.close();
  await cluster?.close();
});

const search = (indices: string[], extra: Record<string, unknown> = {}) => ({ type: 'search', name: 'q', target: 'r', request: { indices, body: { size: 1 } }, ...extra });
const watch = (checks: unknown[], actions: unknown[] = [{ type: 'log', name: 'say', text: '{{data.r.hits.total.value}}' }]) => ({ trigger: { schedule: { interval: '1h' } }, checks, actions });
const put = (tenant: string, id: string, body: unknown, who: Record<string, string>) => h.call({ method: 'PUT', url: `/_signals/watch/${tenant}/${id}`, headers: who, payload: body as object });
const execute = (tenant: string, id: string, who: Record<string, string>, payload: Record<string, unknown> = {}) =>
  h.call({ method: 'POST', url: `/_signals/watch/${tenant}/${id}/_execute`, headers: who, payload });
const searchedIndices = () => cluster.requests.filter((r) => r.path.endsWith('/_search')).map((r) => r.path.split('/')[1]);

describe('a tenant-A watch manager', () => {
  it('cannot save a watch that searches or writes a tenant-B index, uses a tenant-B account or reaches another cluster: each refused at its field', async () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [watch([search(['a-logs', 'b-logs'])]), 'checks[0].request.indices[1]', /indices:data\/read\/search on index 'b-logs' of cluster 'default' is not allowed to user 'alice', who saved the watch \(roles: team_a\)/],
      [watch([search(['a-*,b-logs'])]), 'checks[0].request.indices[0]', /'b-logs'/],
      [watch([search(['*'])]), 'checks[0].request.indices[0]', /index '\*' of cluster 'default'/],
      [watch([], [{ type: 'index', name: 'keep', index: '<b-alerts-{now/d}>' }]), 'actions[0].index', /indices:data\/write\/index on index 'b-alerts-\d{4}\.\d\d\.\d\d'/],
      [watch([search(['a-logs'], { cluster: 'other' })]), 'checks[0].request.indices[0]', /of cluster 'other' is not allowed/],
      [watch([], [{ type: 'webhook', name: 'tell', account: 'hook_b', request: { path: '/x' } }]), 'actions[0].account', /may be used only by tenants b, not by tenant 'a'/],
    ];
    for (const [body, path, message] of cases) {
      const res = await put('a', 'sneaky', body, as.alice);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toMatchObject({ code: 'INVALID_WATCH', detail: { [path]: [{ error: expect.stringMatching(message) }] } });
      expect(Object.keys(res.json().detail)).toEqual([path]);
    }
    expect((await put('b', 'sneaky', watch([search(['b-logs'])]), as.alice)).statusCode).toBe(403);
    expect(h.app.watches.get('a', 'sneaky')).toBeUndefined();
    expect(searchedIndices()).not.toContain('b-logs');
  });

  it('saves a watch on its own indices, which records who saved it in the file and runs as them', async () => {
    const res = await put('a', 'mine', watch([search(['a-logs'])]), as.alice);
    expect(res.statusCode, res.body).toBe(201);
    const file = JSON.parse(readFileSync(join(h.app.config.watches_dir, 'a', 'mine.json'), 'utf8'));
    expect(file._vigil).toEqual({ saved_by: { user: 'alice', roles: ['team_a'], backend_roles: [] } });
    // GET shows the source a client may send back, and who saved it beside it.
    const got = (await h.call({ method: 'GET', url: '/_signals/watch/a/mine', headers: as.alice })).json();
    expect(got._source).not.toHaveProperty('_vigil');
    expect(got._saved_by).toEqual({ user: 'alice', roles: ['team_a'] });
    expect((await put('a', 'mine', got._source, as.alice)).statusCode).toBe(200);
    const run = await execute('a', 'mine', as.alice);
    expect(run.statusCode, run.body).toBe(200);
    expect(run.json().actions[0].status.code).toBe('ACTION_EXECUTED');
  });

  it('cannot choose who a watch runs as: a _vigil field in a request is refused at its path', async () => {
    const forged = { ...watch([search(['b-logs'])]), _vigil: { saved_by: { user: 'root', roles: ['admin'] } } };
    const res = await put('a', 'forged', forged, as.alice);
    expect(res.statusCode).toBe(400);
    expect(Object.keys(res.json().detail)).toEqual(['_vigil']);
    const inline = await h.call({ method: 'POST', url: '/_signals/watch/a/_execute', headers: as.alice, payload: { watch: forged } });
    expect(inline.statusCode).toBe(400);
    expect(Object.keys(inline.json().detail)).toEqual(['_vigil']);
  });

  it('a rendered index name is checked at each run: the run fails with INDEX_FORBIDDEN naming cluster, index, action and roles, and nothing is searched', async () => {
    const body = watch([{ type: 'static', name: 'pick', target: 'pick', value: { index: 'b-logs' } }, search(['{{data.pick.index}}'])]);
    expect((await put('a', 'templated', body, as.alice)).statusCode).toBe(201);
    const before = cluster.requests.length;
    const res = await execute('a', 'templated', as.root);
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toEqual({
      check: 'q',
      detail: 'INDEX_FORBIDDEN',
      message: "indices:data/read/search on index 'b-logs' of cluster 'default' is not allowed to user 'alice', who saved the watch (roles: team_a)",
    });
    expect(cluster.requests.length).toBe(before);
    // Inline, the caller's roles apply the same way.
    const inline = await h.call({ method: 'POST', url: '/_signals/watch/a/_execute', headers: as.alice, payload: { watch: body } });
    expect(inline.statusCode).toBe(422);
    expect(inline.json().error.detail).toBe('INDEX_FORBIDDEN');
  });

  it("cannot reach, by executing a watch someone with more access saved, an index they may not search themselves", async () => {
    const body = watch([search(['{{data.idx}}'])]);
    expect((await put('a', 'by-root', body, as.root)).statusCode).toBe(201);
    const mine = await execute('a', 'by-root', as.alice, { input: { idx: 'b-logs' }, show_all_runtime_attributes: true });
    expect(mine.statusCode).toBe(422);
    expect(mine.json().error.message).toMatch(/caller's access too: .*'b-logs'.*user 'alice'/);
    expect(mine.body).not.toContain('b-only');
    expect((await execute('a', 'by-root', as.root, { input: { idx: 'b-logs' } })).statusCode).toBe(200);
  });

  it('loses a permission taken from its role at the next run, without the watch being saved again', async () => {
    expect((await put('a', 'revoked', watch([search(['a-logs'])]), as.alice)).statusCode).toBe(201);
    expect((await execute('a', 'revoked', as.root)).statusCode).toBe(200);
    const narrowed = { ...team('a'), index_permissions: [{ index_patterns: ['a-alerts'], allowed_actions: ['read'], clusters: ['default'] }] };
    expect((await h.call({ method: 'PUT', url: `${SEC}/roles/team_a`, headers: as.root, payload: narrowed })).statusCode).toBe(200);
    try {
      const res = await execute('a', 'revoked', as.root);
      expect(res.statusCode).toBe(422);
      expect(res.json().error).toMatchObject({ detail: 'INDEX_FORBIDDEN', message: expect.stringContaining("'a-logs'") });
    } finally {
      await h.call({ method: 'PUT', url: `${SEC}/roles/team_a`, headers: as.root, payload: team('a') });
    }
  });
});

describe('accounts by tenant', () => {
  it("a tenant's own account works; one taken away from the tenant after the watch loaded is refused at send time", async () => {
    const body = watch([], [{ type: 'webhook', name: 'tell', account: 'hook_b', request: { path: '/x', body: 'hi' } }]);
    expect((await put('b', 'notify', body, as.bob)).statusCode).toBe(201);
    expect((await execute('b', 'notify', as.bob)).json().actions[0].status.code).toBe('ACTION_EXECUTED');
    expect(hook.deliveries()).toHaveLength(1);
    expect((await h.call({ method: 'PUT', url: '/_signals/account/webhook/hook_b', headers: as.root, payload: { url: `${hook.url}/b`, tenants: ['c'] } })).statusCode).toBe(200);
    const action = (await execute('b', 'notify', as.bob)).json().actions[0];
    expect(action).toMatchObject({ status: { code: 'ACTION_FAILED' }, error: { detail: 'MISSING_PRIVILEGES', message: expect.stringContaining("not by tenant 'b'") } });
    expect(hook.deliveries()).toHaveLength(1);
  });

  it('a channel is an account like any other: refused at load to another tenant, and at send once taken away from its own', async () => {
    const before = hook.deliveries().length;
    expect((await h.call({ method: 'PUT', url: '/_signals/account/webhook/chan_b', headers: as.root, payload: { url: `${hook.url}/chan`, tenants: ['b'] } })).statusCode).toBe(201);
    const body = watch([], [{ type: 'notification', name: 'tell', channel: 'chan_b', message: 'hi' }]);
    const refused = await put('a', 'notify', body, as.alice);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().detail['actions[0].channel'][0].error).toMatch(/may be used only by tenants b, not by tenant 'a'/);
    expect((await put('b', 'notify-channel', body, as.bob)).statusCode).toBe(201);
    expect((await execute('b', 'notify-channel', as.bob)).json().actions[0].status.code).toBe('ACTION_EXECUTED');
    expect(hook.deliveries()).toHaveLength(before + 1);
    expect((await h.call({ method: 'PUT', url: '/_signals/account/webhook/chan_b', headers: as.root, payload: { url: `${hook.url}/chan`, tenants: ['c'] } })).statusCode).toBe(200);
    const action = (await execute('b', 'notify-channel', as.bob)).json().actions[0];
    expect(action).toMatchObject({ status: { code: 'ACTION_FAILED' }, error: { detail: 'MISSING_PRIVILEGES', message: expect.stringContaining("not by tenant 'b'") } });
    expect(hook.deliveries()).toHaveLength(before + 1);
  });
});

describe('watches from files', () => {
  const writeWatch = (tenant: string, id: string, body: unknown) => {
    const dir = tenant === '_main' ? h.app.config.watches_dir : join(h.app.config.watches_dir, tenant);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${id}.json`), JSON.stringify(body));
    return h.app.watches.reload({ tenant, id });
  };

  it("run as their tenant's run_as_role: what it does not allow is refused at load, at the field", async () => {
    await writeWatch('b', 'file-ok', watch([search(['b-logs'])]));
    expect(h.app.watches.get('b', 'file-ok')).toMatchObject({ errors: null });
    await writeWatch('b', 'file-bad', watch([search(['a-logs'])]));
    expect(h.app.watches.get('b', 'file-bad')).toMatchObject({ watch: null, errors: { 'checks[0].request.indices[0]': [{ error: expect.stringMatching(/not allowed to role 'team_b' \(the run_as_role of tenant 'b'\)/) }] } });
  });

  it('of a tenant without run_as_role run as vigil_files by default: every index, as before tenants were isolated', async () => {
    await writeWatch('_main', 'file-main', watch([search(['b-logs'])]));
    expect(h.app.watches.get('_main', 'file-main')).toMatchObject({ errors: null });
    expect((await execute('_main', 'file-main', as.root)).statusCode).toBe(200);
  });
});

describe('impersonation (clusters.<name>.impersonate)', () => {
  it("a watch saved through the API searches the cluster as its saver, so the cluster's own privileges apply; a file watch has no user to send", async () => {
    const body = watch([search(['a-logs'], { cluster: 'imp' })]);
    expect((await put('a', 'imp', body, as.root)).statusCode).toBe(201);
    const from = cluster.requests.length;
    expect((await execute('a', 'imp', as.root)).statusCode).toBe(200);
    const searched = cluster.requests.slice(from).filter((r) => r.path.endsWith('/_search'));
    expect(searched.map((r) => r.headers['es-security-runas-user'])).toEqual(['root']);
    writeFileSync(join(h.app.config.watches_dir, 'imp.json'), JSON.stringify(watch([search(['b-logs'], { cluster: 'imp' })])));
    await h.app.watches.reload({ tenant: '_main', id: 'imp' });
    const next = cluster.requests.length;
    expect((await execute('_main', 'imp', as.root)).statusCode).toBe(200);
    expect(cluster.requests.slice(next).filter((r) => r.path.endsWith('/_search')).map((r) => r.headers['es-security-runas-user'])).toEqual([undefined]);
  });
});

describe('strict isolation (security.default_run_as_role: null)', () => {
  it('a file watch of a tenant without run_as_role has no cluster access; a tenant with one keeps its role', async () => {
    const strict = await startHarness({ config: { clusters: { default: { urls: [cluster.url] } }, security: { default_run_as_role: null } } });
    try {
      const root = { authorization: bearer(await strict.tokenFor('root', ['admin'])) };
      await strict.call({ method: 'PUT', url: `${SEC}/roles/team_b`, headers: root, payload: team('b') });
      await strict.call({ method: 'PUT', url: `${SEC}/tenants/b`, headers: root, payload: { run_as_role: 'team_b' } });
      const dir = strict.app.config.watches_dir;
      mkdirSync(join(dir, 'b'), { recursive: true });
      writeFileSync(join(dir, 'logs.json'), JSON.stringify(watch([search(['logs'])])));
      writeFileSync(join(dir, 'b', 'logs.json'), JSON.stringify(watch([search(['b-logs'])])));
      await strict.app.watches.loadAll();
      expect(strict.app.watches.get('_main', 'logs')).toMatchObject({
        watch: null,
        errors: { 'checks[0].request.indices[0]': [{ error: expect.stringContaining("tenant '_main' names no run_as_role and security.default_run_as_role is null") }] },
      });
      expect(strict.app.watches.get('b', 'logs')).toMatchObject({ errors: null });
      // A watch saved through the API runs as its saver whatever the default.
      expect((await strict.call({ method: 'PUT', url: '/_signals/watch/_main/api', headers: root, payload: watch([search(['logs'])]) })).statusCode).toBe(201);
    } finally {
      await strict.close();
    }
  });
});

describe("the repository's example watches", () => {
  it('load and search under the default configuration; strict isolation refuses their searches until their tenant names a role', async () => {
    const examples = resolve(import.meta.dirname, '../../watches');
    const sample = await startTestCluster({ flavour: 'es8' });
    for (const { index, docs } of sampleData(Date.now(), { logs: 50, flights: 50 })) sample.seed(index, docs);
    const run = async (config: Record<string, unknown>) => {
      const x = await startHarness({ config: { clusters: { default: { urls: [sample.url] } }, ...config } });
      try {
        cpSync(examples, x.app.config.watches_dir, { recursive: true });
        await x.app.watches.loadAll();
        const root = { authorization: bearer(await x.tokenFor('root', ['admin'])) };
        const invalid = x.app.watches.list().filter((w) => w.errors).map((w) => `${w.ref.tenant}/${w.ref.id}`).sort();
        const status = (await x.call({ method: 'POST', url: '/_signals/watch/ops/error-rate/_execute', headers: root, payload: { simulate: true } })).statusCode;
        return { invalid, status };
      } finally {
        await x.close();
      }
    };
    try {
      expect(await run({})).toEqual({ invalid: [], status: 200 });
      expect(await run({ security: { default_run_as_role: null } })).toEqual({ invalid: ['ops/bad-weather', 'ops/error-rate', 'ops/slow-requests'], status: 404 });
    } finally {
      await sample.close();
    }
  });
});
