/**
 * The `state` section: which backend keeps the state, the watches and the accounts. SQLite unless
 * the configuration or VIGIL_STATE_BACKEND says otherwise; the cluster backend must name a configured
 * cluster, and a bad value is refused with the path of the field.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { VigilError } from '../../src/errors.ts';

function refusal(f: () => unknown): VigilError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(VigilError);
    return e as VigilError;
  }
  throw new Error('expected a refusal');
}

describe('config: state', () => {
  it('defaults to SQLite, the default cluster and the prefix vigil', () => {
    expect(loadConfig({ env: {} }).state).toEqual({ backend: 'sqlite', cluster: 'default', index_prefix: 'vigil', queue_limit: 10_000 });
  });

  it('VIGIL_STATE_BACKEND selects the cluster backend, on the cluster VIGIL_CLUSTER_URL configures', () => {
    const c = loadConfig({ env: { VIGIL_STATE_BACKEND: 'cluster', VIGIL_CLUSTER_URL: 'http://127.0.0.1:9200' } });
    expect(c.state).toEqual({ backend: 'cluster', cluster: 'default', index_prefix: 'vigil', queue_limit: 10_000 });
    expect(c.clusters.default?.urls).toEqual(['http://127.0.0.1:9200']);
  });

  it('the environment overrides the file, and the section takes a cluster name and a prefix', () => {
    const c = loadConfig({
      env: { VIGIL_STATE_BACKEND: 'sqlite' },
      overrides: { clusters: { ops: { urls: ['http://127.0.0.1:9200'] } }, state: { backend: 'cluster', cluster: 'ops', index_prefix: 'team-a', queue_limit: 500 } },
    });
    // Flags (overrides) come last.
    expect(c.state).toEqual({ backend: 'cluster', cluster: 'ops', index_prefix: 'team-a', queue_limit: 500 });
  });

  it('refuses the cluster backend without the cluster it names, with the path state.cluster', () => {
    const e = refusal(() => loadConfig({ env: { VIGIL_STATE_BACKEND: 'cluster' } }));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(Object.keys(e.detail ?? {})).toEqual(['state.cluster']);
    expect(e.message).toMatch(/state\.cluster: the cluster backend needs the cluster \[default\].*VIGIL_CLUSTER_URL/);
  });

  it('refuses an unknown backend and unknown fields with their paths', () => {
    expect(Object.keys(refusal(() => loadConfig({ env: { VIGIL_STATE_BACKEND: 'postgres' } })).detail ?? {})).toEqual(['state.backend']);
    expect(Object.keys(refusal(() => loadConfig({ env: {}, overrides: { state: { backend: 'sqlite', colour: 'red' } as never } })).detail ?? {})).toEqual(['state.colour']);
  });
});
