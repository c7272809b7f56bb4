/**
 * A run searches and writes only what the roles it runs as allow, checked on the names as rendered (date
 * math resolved, what is sent): a denied search fails the run and reaches no cluster, a denied write
 * fails its action and never enters the outbox, and an execution through the API needs the caller's
 * access as well as the watch's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runtimeKit, type RuntimeKit } from '../kit/runtime.ts';
import type { RequestOptions, SearchClient, SearchRequest } from '../../src/cluster/types.ts';
import { SecurityDirectory } from '../../src/security/directory.ts';
import { createRunAs } from '../../src/security/run-as.ts';
import { FILES_ROLE } from '../../src/security/roles.ts';
import type { RunAsResolver } from '../../src/watches/run-as.ts';
import { buildRuntime } from '../../src/app/runtime.ts';
import { loadConfig } from '../../src/config/load.ts';
import { compileWatch } from '../../src/watches/compile.ts';
import { captureLogger } from '../kit/log-capture.ts';
import { tempDirs } from '../kit/temp-dirs.ts';

const tempDir = tempDirs('vigil-iso-');

let kit: RuntimeKit | undefined;
afterEach(async () => kit?.close());

/** A cluster that records searches and writes, with their options, and answers with no hits. */
function recordingCluster() {
  const calls: Array<{ kind: string; target: string[]; opts: RequestOptions | undefined }> = [];
  const client: SearchClient = {
    name: 'default',
    info: async () => ({ distribution: 'elasticsearch', version: '9.0.0', major: 9, clusterName: 't' }),
    async search(req: SearchRequest, opts) {
      calls.push({ kind: 'search', target: req.indices, opts });
      return { hits: { total: { value: 0 }, hits: [] } };
    },
    count: async () => 0,
    async index(req, opts) {
      calls.push({ kind: 'index', target: [req.index], opts });
      return { index: req.index, id: '1', result: 'created' };
    },
    bulkIndex: async () => [],
    close: async () => {},
  };
  return { client, calls };
}

/** A runtime kit whose watches run as the security configuration of its own state store says. */
async function isolatedKit(cluster: SearchClient): Promise<{ kit: RuntimeKit; dir: SecurityDirectory }> {
  let inner: RunAsResolver | undefined;
  const k = runtimeKit({ searchClient: () => cluster, start: '2026-03-15T13:45:10Z', runAs: { forWatch: (w) => inner!.forWatch(w) } });
  const dir = await SecurityDirectory.load(k.store.security);
  await dir.write([
    { kind: 'roles', name: 'team_a', value: { cluster_permissions: [], tenant_permissions: [], index_permissions: [{ index_patterns: ['a-*'], allowed_actions: ['read', 'index'] }] } },
    { kind: 'tenants', name: 'a', value: { run_as_role: 'team_a' } },
  ]);
  inner = createRunAs(dir, { defaultRole: FILES_ROLE });
  kit = k;
  return { kit: k, dir };
}

const searchOf = (index: string) => ({
  trigger: { schedule: { interval: '1m' } },
  checks: [
    { type: 'static', name: 'which', target: 'which', value: { index } },
    { type: 'search', name: 'q', target: 'r', request: { indices: [index.includes('{{') ? index : '{{data.which.index}}'], body: { size: 0 } } },
  ],
  actions: [{ type: 'log', name: 'say', text: 'x' }],
});

describe('searches', () => {
  it('a search whose rendered index the roles do not allow fails the run with INDEX_FORBIDDEN and reaches no cluster', async () => {
    const cluster = recordingCluster();
    const { kit } = await isolatedKit(cluster.client);
    const rec = await kit.runner.run(kit.compile(searchOf('b-logs'), 'w', 'a'), { fire: null });
    expect(rec.status.code).toBe('EXECUTION_FAILED');
    expect(rec.error).toEqual({
      check: 'q',
      message: "indices:data/read/search on index 'b-logs' of cluster 'default' is not allowed to role 'team_a' (the run_as_role of tenant 'a')",
      detail: 'INDEX_FORBIDDEN',
    });
    expect(cluster.calls).toEqual([]);
  });

  it('the names checked are the names sent: date math resolved by Vigil, comma lists split', async () => {
    const cluster = recordingCluster();
    const { kit } = await isolatedKit(cluster.client);
    const rec = await kit.runner.run(kit.compile(searchOf('<a-logs-{now/d}>,a-audit'), 'w', 'a'), { fire: null });
    expect(rec.status.code).toBe('ACTION_EXECUTED');
    expect(cluster.calls).toEqual([{ kind: 'search', target: ['a-logs-2026.03.15', 'a-audit'], opts: expect.not.objectContaining({ runAs: expect.anything() }) }]);
    // A wildcard wider than the role's pattern is refused: it would reach indices the role does not name.
    expect((await kit.runner.run(kit.compile(searchOf('a*'), 'w2', 'a'), { fire: null })).error?.detail).toBe('INDEX_FORBIDDEN');
  });

  it('an index the query itself reads documents from (a terms lookup) needs the permission too', async () => {
    const cluster = recordingCluster();
    const { kit } = await isolatedKit(cluster.client);
    const lookup = (index: string) => ({
      trigger: { schedule: { interval: '1m' } },
      checks: [{ type: 'search', name: 'q', target: 'r', request: { indices: ['a-logs'], body: { query: { terms: { user: { index, id: '1', path: 'names' } } } } } }],
    });
    const rec = await kit.runner.run(kit.compile(lookup('b-users'), 'w', 'a'), { fire: null });
    expect(rec.error).toMatchObject({ detail: 'INDEX_FORBIDDEN', message: expect.stringMatching(/^request\.body\.query\.terms\.user\.index: .*'b-users'/) });
    expect(cluster.calls).toEqual([]);
    expect((await kit.runner.run(kit.compile(lookup('a-users'), 'w', 'a'), { fire: null })).status.code).toBe('NO_ACTION');
  });

  it('a watch saved through the API searches as its saver, whose name goes with the request (for clusters that impersonate)', async () => {
    const cluster = recordingCluster();
    const { kit } = await isolatedKit(cluster.client);
    const saved = { ...searchOf('b-logs'), _vigil: { saved_by: { user: 'root', roles: ['admin'], backend_roles: [] } } };
    expect((await kit.runner.run(kit.compile(saved, 'w', 'a'), { fire: null })).status.code).toBe('ACTION_EXECUTED');
    expect(cluster.calls).toEqual([{ kind: 'search', target: ['b-logs'], opts: expect.objectContaining({ runAs: 'root' }) }]);
  });

  it('an execution with a caller needs their access too', async () => {
    const cluster = recordingCluster();
    const { kit } = await isolatedKit(cluster.client);
    const saved = kit.compile({ ...searchOf('{{data.idx}}'), _vigil: { saved_by: { user: 'root', roles: ['admin'], backend_roles: [] } } }, 'w', 'a');
    const asAlice = { user: 'alice', roles: ['team_a'], backend_roles: [] };
    const rec = await kit.runner.run(saved, { fire: null, input: { idx: 'b-secrets' }, caller: asAlice });
    expect(rec.error).toMatchObject({ detail: 'INDEX_FORBIDDEN', message: expect.stringMatching(/caller's access too: .* 'b-secrets' .* user 'alice'/) });
    expect(cluster.calls).toEqual([]);
    expect((await kit.runner.run(saved, { fire: null, input: { idx: 'a-logs' }, caller: asAlice })).status.code).toBe('ACTION_EXECUTED');
  });
});

describe('index writes', () => {
  const writer = (index: string) => ({
    trigger: { schedule: { interval: '1m' } },
    checks: [{ type: 'static', name: 's', value: { n: 1 } }],
    actions: [{ type: 'index', name: 'keep', index }],
  });

  it('a write the roles do not allow fails its action before the outbox; an allowed one is written', async () => {
    const cluster = recordingCluster();
    const { kit } = await isolatedKit(cluster.client);
    const rec = await kit.runner.run(kit.compile(writer('<b-alerts-{now/d}>'), 'w', 'a'), { fire: null });
    expect(rec.actions[0]).toMatchObject({
      status: { code: 'ACTION_FAILED' },
      error: { message: expect.stringContaining("indices:data/write/index on index 'b-alerts-2026.03.15' of cluster 'default' is not allowed to role 'team_a'"), detail: 'INDEX_FORBIDDEN' },
    });
    expect(await kit.store.outbox.pending()).toEqual([]);
    expect(cluster.calls).toEqual([]);
    expect((await kit.runner.run(kit.compile(writer('<a-alerts-{now/d}>'), 'w', 'a'), { fire: null })).status.code).toBe('ACTION_EXECUTED');
    expect(cluster.calls).toEqual([{ kind: 'index', target: ['a-alerts-2026.03.15'], opts: expect.not.objectContaining({ runAs: expect.anything() }) }]);
  });

  it("the saver's name travels with the write through the outbox", async () => {
    const cluster = recordingCluster();
    const { kit } = await isolatedKit(cluster.client);
    const w = kit.compile({ ...writer('b-alerts'), _vigil: { saved_by: { user: 'root', roles: ['admin'], backend_roles: [] } } }, 'w', 'a');
    expect((await kit.runner.run(w, { fire: null })).status.code).toBe('ACTION_EXECUTED');
    expect(cluster.calls).toEqual([{ kind: 'index', target: ['b-alerts'], opts: expect.objectContaining({ runAs: 'root' }) }]);
  });
});

describe('an engine built without a security configuration', () => {
  it('fails closed: no watch may search or write', async () => {
    const dir = tempDir();
    const cluster = recordingCluster();
    const config = loadConfig({ env: {}, overrides: { data_dir: dir, watches_dir: `${dir}/watches`, accounts_dir: `${dir}/accounts` } });
    const rt = await buildRuntime(config, { logger: captureLogger().logger, env: {}, searchClient: () => cluster.client });
    try {
      const w = compileWatch(searchOf('logs'), { tenant: '_main', id: 'w' }, rt.compileEnv);
      if (!w.ok) throw new Error(JSON.stringify(w.detail));
      const rec = await rt.runner.run(w.watch, { fire: null });
      expect(rec.error).toMatchObject({ detail: 'INDEX_FORBIDDEN', message: expect.stringContaining('without a security configuration') });
      expect(cluster.calls).toEqual([]);
    } finally {
      await rt.stop();
    }
  });
});
