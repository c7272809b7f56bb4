import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestCluster, type TestCluster } from '../../cluster/server.ts';
import { ClusterRegistry } from '../../../src/cluster/index.ts';
import { silentLogger } from '../../../src/log.ts';
import { runtimeKit } from '../../kit/runtime.ts';
import { resolveIndexName } from '../../../src/checks/date-math.ts';

describe('index name date math', () => {
  const now = Date.parse('2026-03-15T13:45:10Z');
  it.each([
    ['alerts', 'alerts'],
    ['<alerts-{now/d}>', 'alerts-2026.03.15'],
    ['<alerts-{now/M{yyyy.MM}}>', 'alerts-2026.03'],
    ['<alerts-{now/d-1d}>', 'alerts-2026.03.14'],
    ['<alerts-{now/w}>', 'alerts-2026.03.09'],
    ['<logs-{now/h{yyyy.MM.dd.HH}}>', 'logs-2026.03.15.13'],
  ])('%s → %s', (name, expected) => expect(resolveIndexName(name, now)).toBe(expected));
});

describe.each(['es8', 'os3'] as const)('index action against %s', (flavour) => {
  let cluster: TestCluster;
  let registry: ClusterRegistry;
  beforeAll(async () => {
    cluster = await startTestCluster({ flavour });
    registry = new ClusterRegistry([{ name: 'default', urls: [cluster.url] }, { name: 'audit', urls: [cluster.url] }], silentLogger());
  });
  afterAll(async () => {
    await registry.closeAll();
    await cluster.close();
  });

  it('writes data as one document with a rendered id, and data._doc as many, into a date-math index', async () => {
    const kit = runtimeKit({ searchClient: (c) => registry.get(c), start: '2026-03-15T13:45:10Z' });
    const one = kit.compile({
      trigger: { schedule: { interval: '1m' } },
      checks: [{ type: 'static', name: 's', value: { service: 'checkout', errors: 7 } }],
      actions: [{ type: 'index', name: 'keep', index: '<alerts-{now/d}>', doc_id: '{{watch.id}}-{{data.service}}', refresh: 'wait_for' }],
    });
    expect((await kit.runner.run(one, { fire: null })).status.code).toBe('ACTION_EXECUTED');
    const many = kit.compile({
      trigger: { schedule: { interval: '1m' } },
      checks: [{ type: 'static', name: 's', value: { _doc: [{ n: 1 }, { n: 2 }, { n: 3 }] } }],
      actions: [{ type: 'index', name: 'bulk', index: 'bulk-{{watch.id}}', cluster: 'audit', refresh: true }],
    });
    expect((await kit.runner.run(many, { fire: null })).status.code).toBe('ACTION_EXECUTED');
    const client = registry.get('default');
    const doc = await client.search({ indices: ['alerts-2026.03.15'], body: { query: { match_all: {} } } });
    expect((doc.hits as { hits: Array<{ _id: string; _source: unknown }> }).hits).toEqual([
      expect.objectContaining({ _id: 'w-checkout', _source: { service: 'checkout', errors: 7 } }),
    ]);
    expect(await client.count(['bulk-w'])).toBe(3);
    await kit.close();
  });

  it('reports a cluster refusal as a failed action, retried only when the cluster says it may help', async () => {
    cluster.setFault((r) => (r.method !== 'GET' && r.path.includes('blocked') ? { status: 403, body: { error: { type: 'cluster_block_exception', reason: 'index [blocked] blocked by: [FORBIDDEN/8/index write (api)];' }, status: 403 } } : undefined));
    const kit = runtimeKit({ searchClient: (c) => registry.get(c) });
    const w = kit.compile({ trigger: { schedule: { interval: '1m' } }, actions: [{ type: 'index', name: 'keep', index: 'blocked' }] });
    const rec = await kit.runner.run(w, { fire: null });
    cluster.setFault(undefined);
    expect(rec.actions[0]).toMatchObject({ status: { code: 'ACTION_FAILED' }, delivery: { attempts: 1 } });
    expect(rec.actions[0]!.error!.message).toMatch(/cluster_block_exception/);
    await kit.close();
  });
});
