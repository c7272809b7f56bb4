/** The daemon's name and the cluster mode's lease: defaults, the environment, and refusals with their path. */
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';

describe('node_name and cluster_mode', () => {
  it('default to host-pid and a 10 s lease; VIGIL_NODE_NAME names the daemon', () => {
    const c = loadConfig({ env: {} });
    expect(c.node_name).toBe(`${hostname()}-${process.pid}`);
    expect(c.cluster_mode).toEqual({ lease_ms: 10_000 });
    expect(loadConfig({ env: { VIGIL_NODE_NAME: 'vigil-a' } }).node_name).toBe('vigil-a');
  });

  it('refuses a name that cannot be a document id, a lease out of range, and unknown fields, by path', () => {
    const bad = (overrides: Record<string, unknown>) => {
      try {
        loadConfig({ env: {}, overrides });
      } catch (e) {
        return (e as { code: string; detail: Record<string, unknown> });
      }
      throw new Error('accepted');
    };
    expect(bad({ node_name: 'a/b' })).toMatchObject({ code: 'CONFIG_INVALID', detail: { node_name: expect.anything() } });
    expect(bad({ cluster_mode: { lease_ms: 10 } })).toMatchObject({ code: 'CONFIG_INVALID', detail: { 'cluster_mode.lease_ms': expect.anything() } });
    expect(bad({ cluster_mode: { lease: 10_000 } })).toMatchObject({ code: 'CONFIG_INVALID', detail: { 'cluster_mode.lease': expect.anything() } });
  });
});
