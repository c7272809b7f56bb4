import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestCluster, type TestCluster } from '../cluster/server.ts';
import { FLAVOURS } from '../cluster/flavours.ts';
import { ClusterRegistry } from '../../src/cluster/index.ts';
import { runtimeKit } from '../kit/runtime.ts';
import { silentLogger } from '../../src/log.ts';

const NOW = Date.parse('2026-03-01T10:00:00Z');

describe.each(FLAVOURS)('search check against %s', (flavour) => {
  let cluster: TestCluster;
  let registry: ClusterRegistry;
  beforeAll(async () => {
    cluster = await startTestCluster({ flavour, now: () => NOW });
    cluster.seed('logs', [
      { '@timestamp': '2026-03-01T09:58:00Z', level: 'ERROR', service: 'checkout' },
      { '@timestamp': '2026-03-01T09:59:00Z', level: 'ERROR', service: 'checkout' },
      { '@timestamp': '2026-03-01T09:59:30Z', level: 'ERROR', service: 'search' },
      { '@timestamp': '2026-03-01T08:00:00Z', level: 'ERROR', service: 'auth' },
      { '@timestamp': '2026-03-01T09:59:00Z', level: 'INFO', service: 'auth' },
    ], { '@timestamp': { type: 'date' }, level: { type: 'keyword' }, service: { type: 'keyword' } });
    registry = new ClusterRegistry([{ name: 'default', urls: [cluster.url] }], silentLogger());
  });
  afterAll(async () => {
    await registry.closeAll();
    await cluster.close();
  });

  const watch = (body: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    trigger: { schedule: { interval: '1m' } },
    checks: [
      { type: 'static', name: 'c', target: 'constants', value: { window: '5m', size: 2, level: 'ERROR' } },
      { type: 'search', name: 'errors', target: 'errors', request: { indices: ['logs'], body }, ...extra },
      { type: 'condition', name: 'any', lang: 'cel', source: 'data.errors.hits.total.value > 0' },
    ],
    actions: [{ type: 'log', name: 'say', text: '{{data.errors.hits.total.value}} errors; first {{data.errors.hits.hits.0._source.service}}' }],
    log_runtime_data: true,
  });

  it('renders the whole request with Mustache, searches through the official client and puts the response in target', async () => {
    const kit = runtimeKit({ searchClient: (c) => registry.get(c), start: '2026-03-01T10:00:00Z' });
    const w = kit.compile(watch({
      size: '{{data.constants.size}}',
      sort: [{ '@timestamp': 'asc' }],
      query: { bool: { filter: [{ term: { level: '{{data.constants.level}}' } }, { range: { '@timestamp': { gte: 'now-{{data.constants.window}}' } } }] } },
      aggs: { by_service: { terms: { field: 'service' } } },
    }));
    const rec = await kit.runner.run(w, { fire: null });
    expect(rec.status.code).toBe('ACTION_EXECUTED');
    const data = rec.data as { errors: { hits: { total: { value: number }; hits: unknown[] }; aggregations: { by_service: { buckets: Array<{ key: string; doc_count: number }> } } } };
    expect(data.errors.hits.total.value).toBe(3);
    expect(data.errors.hits.hits).toHaveLength(2);
    expect(data.errors.aggregations.by_service.buckets).toEqual([{ key: 'checkout', doc_count: 2 }, { key: 'search', doc_count: 1 }]);
    const last = cluster.requests.at(-1)!;
    expect(last.path).toContain('/logs/_search');
    await kit.close();
  });

  it('fails the run with the cluster error for a missing index, and runs again afterwards', async () => {
    const kit = runtimeKit({ searchClient: (c) => registry.get(c) });
    const w = kit.compile({ ...watch({ query: { match_all: {} } }), checks: [{ type: 'search', name: 'nope', target: 'x', request: { indices: ['missing-index'], body: {} } }] });
    const rec = await kit.runner.run(w, { fire: null });
    expect(rec.status.code).toBe('EXECUTION_FAILED');
    expect(rec.error).toMatchObject({ check: 'nope' });
    expect(rec.error!.message).toMatch(/index_not_found_exception|no such index/);
    await kit.close();
  });

  it('fails cleanly when the cluster is unreachable', async () => {
    const down = new ClusterRegistry([{ name: 'default', urls: ['http://127.0.0.1:9'], requestTimeoutMs: 2000 }], silentLogger());
    const kit = runtimeKit({ searchClient: (c) => down.get(c) });
    const rec = await kit.runner.run(kit.compile(watch({})), { fire: null });
    expect(rec.status.code).toBe('EXECUTION_FAILED');
    await down.closeAll();
    await kit.close();
  });
});
