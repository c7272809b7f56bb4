/**
 * The indices the cluster backend owns: created at open with strict, versioned mappings and hidden,
 * under names derived from the prefix (never dot-prefixed); migrated forward when an older version
 * made them; refused when a newer one did; a field nobody declared is refused loudly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../../cluster/server.ts';
import { FLAVOURS } from '../../cluster/flavours.ts';
import { MAPPING_VERSION, mappingFor } from '../../../src/state/cluster/mappings.ts';
import { indexNames } from '../../../src/state/cluster/names.ts';
import { ClusterStateStore } from '../../../src/state/cluster/index.ts';
import { ClusterError } from '../../../src/cluster/types.ts';
import { emptyWatchState } from '../../../src/state/records.ts';
import { docStore, freshPrefix, openStore } from './kit.ts';

describe('index names', () => {
  it('derive from the prefix; a prefix that is no index name is refused with its setting path', () => {
    const n = indexNames('vigil');
    expect([n.state, n.outbox, n.kv, n.security, n.logPattern, n.auditPattern]).toEqual(['vigil-state', 'vigil-outbox', 'vigil-kv', 'vigil-security', 'vigil-log-*', 'vigil-audit-*']);
    expect(n.log(Date.UTC(2026, 0, 5, 23, 59))).toBe('vigil-log-2026.01.05');
    expect(n.audit(Date.UTC(2026, 11, 31))).toBe('vigil-audit-2026.12');
    for (const bad of ['.vigil', 'Vigil', '-x', '_x', 'a b', 'a*', '', 'x'.repeat(101)]) {
      let err: unknown;
      try {
        indexNames(bad);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toMatchObject({ code: 'CONFIG_INVALID', detail: { 'state.index_prefix': [expect.objectContaining({ error: expect.any(String) })] } });
    }
  });
});

describe.each(FLAVOURS)('state indices on %s', (flavour) => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster({ flavour });
  });
  afterAll(() => cluster.close());

  it('are created hidden, strict and versioned, with templates for the daily log and monthly audit indices', async () => {
    const prefix = freshPrefix();
    const store = await openStore(cluster.url, { prefix, logIndexSettings: { number_of_replicas: 0 } });
    const ds = docStore(cluster.url);
    try {
      for (const name of ['state', 'outbox', 'kv', 'security', 'watches', 'accounts']) {
        const index = cluster.store.indices.get(`${prefix}-${name}`)!;
        expect(index, name).toBeDefined();
        const m = (await ds.getMapping(`${prefix}-${name}`))[`${prefix}-${name}`]!;
        expect(m).toMatchObject({ dynamic: 'strict', _meta: { vigil_mapping_version: MAPPING_VERSION } });
      }
      expect(await ds.getIndexTemplate(`${prefix}-log`)).toMatchObject({ index_patterns: [`${prefix}-log-*`], template: { settings: { index: { hidden: true, number_of_replicas: 0 } } } });
      await store.log.append({ id: 'r', tenant: 't', watch_id: 'w', watch_version: 'v', status: { code: 'NO_ACTION' }, execution_start: '2026-01-05T00:00:00Z', execution_end: '2026-01-05T00:00:01Z', actions: [], resolve_actions: [], node: 'n' });
      expect((await ds.getMapping(`${prefix}-log-2026.01.05`))[`${prefix}-log-2026.01.05`]).toMatchObject({ dynamic: 'strict', _meta: { vigil_mapping_version: MAPPING_VERSION } });
      // Hidden: a plain wildcard search does not reach them.
      await ds.refresh(`${prefix}-*`);
      expect((await ds.search(`${prefix}-*`, { query: { match_all: {} } }, { hidden: false })).total).toBe(0);
      expect((await ds.search(`${prefix}-*`, { query: { match_all: {} } })).total).toBeGreaterThan(0);
    } finally {
      await store.close();
      await ds.close();
    }
  });

  it('an index of an older mapping version is migrated forward at open, its documents kept', async () => {
    const prefix = freshPrefix();
    const ds = docStore(cluster.url);
    const current = mappingFor('state');
    const { active_override: _a, has_handoff: _h, ...older } = current.properties as Record<string, unknown>;
    await ds.createIndex(`${prefix}-state`, { settings: { index: { hidden: true } }, mappings: { dynamic: 'strict', _meta: { vigil_mapping_version: 0 }, properties: older } });
    await ds.write({ op: 'index', index: `${prefix}-state`, id: '_main:w', document: { tenant: '_main', watch_id: 'w', state: emptyWatchState('old'), handoff: null, node: 'n', write_id: 'x', updated_at: 1 } });
    const store = await openStore(cluster.url, { prefix });
    try {
      const m = (await ds.getMapping(`${prefix}-state`))[`${prefix}-state`]!;
      expect(m._meta).toMatchObject({ vigil_mapping_version: MAPPING_VERSION });
      expect(Object.keys(m.properties as object)).toEqual(expect.arrayContaining(['active_override', 'has_handoff']));
      expect((await store.watchState.get('_main', 'w'))?.node).toBe('old');
      await store.watchState.put('_main', 'w', { ...emptyWatchState('new'), active_override: false });
      expect(await store.watchState.activeOverrides()).toEqual([{ tenant: '_main', watchId: 'w', active: false }]);
    } finally {
      await store.close();
      await ds.close();
    }
  });

  it('an index written by a newer Vigil stops the open with CONFIG_INVALID', async () => {
    const prefix = freshPrefix();
    const ds = docStore(cluster.url);
    await ds.createIndex(`${prefix}-kv`, { mappings: { ...mappingFor('kv'), _meta: { vigil_mapping_version: MAPPING_VERSION + 1 } } });
    const err = await openStore(cluster.url, { prefix }).catch((e: unknown) => e);
    await ds.close();
    expect(err).toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('newer Vigil') });
  });

  it('a strict mapping refuses a field nobody declared, loudly, through the store write path too', async () => {
    const store = await openStore(cluster.url);
    const ds = docStore(cluster.url);
    try {
      const err = await ds.write({ op: 'index', index: store.names.state, id: 'x', document: { tenant: 't', surprise: 1 } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ClusterError);
      expect(err).toMatchObject({ status: 400, type: 'strict_dynamic_mapping_exception', retryable: false });
      // A log record is mapped field by field: what the record carries that is not a field stays inside `record`.
      const rec = { id: 'r', tenant: 't', watch_id: 'w', watch_version: 'v', status: { code: 'NO_ACTION' as const, detail: 'd' }, execution_start: new Date().toISOString(), execution_end: new Date().toISOString(), actions: [], resolve_actions: [], node: 'n', data: 5 };
      await store.log.append(rec);
      expect((await store.log.query({}))[0]).toEqual(rec);
    } finally {
      await store.close();
      await ds.close();
    }
  });

  it('two stores opening the same prefix at once both succeed', async () => {
    const prefix = freshPrefix();
    const [a, b] = await Promise.all([openStore(cluster.url, { prefix }), openStore(cluster.url, { prefix })]);
    await a.close();
    await b.close();
    expect(cluster.store.indices.has(`${prefix}-state`)).toBe(true);
  });
});

it('open fails cleanly when the cluster is unreachable, naming no credential', async () => {
  const err = await ClusterStateStore.open({ docs: docStore('http://kirk:hunter2-secret@127.0.0.1:1', { requestTimeoutMs: 1000 }), ownsClient: true }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ClusterError);
  expect(JSON.stringify({ m: (err as Error).message })).not.toContain('hunter2');
});
