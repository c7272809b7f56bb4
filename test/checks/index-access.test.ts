/**
 * The targets a search or write is checked on: split, date math resolved (what is sent is what is
 * checked), `_all` as every index, exclusions after the first target free, and the load-time check of
 * names written without a template.
 */
import { describe, expect, it } from 'vitest';
import { accessDenied, assertIndexAccess, indexTargets, literalIndexProblems, SEARCH_ACTION } from '../../src/checks/index-access.ts';
import type { IndexAccess } from '../../src/checks/types.ts';

const now = Date.parse('2026-03-15T13:45:10Z');

/** Allows what its patterns list exactly (no wildcards: the roles' semantics are security's, tested there); records every question. */
function only(...allowed: string[]): IndexAccess & { asked: string[] } {
  const asked: string[] = [];
  return {
    user: null,
    asked,
    denied(cluster, index, action) {
      asked.push(`${cluster}/${index}`);
      return allowed.includes(`${cluster}/${index}`) ? null : `${action} on '${index}' of '${cluster}' denied`;
    },
  };
}

describe('indexTargets', () => {
  it('splits comma lists and resolves date math, a remote prefix kept as written', () => {
    expect(indexTargets(['logs-a, logs-b', '<alerts-{now/d}>', 'eu:<logs-{now/M{yyyy.MM}}>'], now)).toEqual(['logs-a', 'logs-b', 'alerts-2026.03.15', 'eu:logs-2026.03']);
  });
});

describe('accessDenied', () => {
  it('asks about every target, _all and an empty name as every index', () => {
    const access = only('prod/logs-a', 'prod/*');
    expect(accessDenied(access, 'prod', ['logs-a', '_all', ''], SEARCH_ACTION)).toBeNull();
    expect(access.asked).toEqual(['prod/logs-a', 'prod/*', 'prod/*']);
    expect(accessDenied(only('prod/logs-a'), 'prod', ['logs-a', 'logs-b'], SEARCH_ACTION)).toBe("indices:data/read/search on 'logs-b' of 'prod' denied");
  });

  it('lets an exclusion after the first target pass (it only narrows), but not a first target starting with -', () => {
    const access = only('prod/logs-*');
    expect(accessDenied(access, 'prod', ['logs-*', '-logs-secret'], SEARCH_ACTION)).toBeNull();
    expect(access.asked).toEqual(['prod/logs-*']);
    expect(accessDenied(only(), 'prod', ['-logs-secret'], SEARCH_ACTION)).not.toBeNull();
  });

  it('asks about a cross-cluster name as written, on the configured cluster', () => {
    const access = only();
    accessDenied(access, 'prod', indexTargets(['eu:logs-1'], now), SEARCH_ACTION);
    expect(access.asked).toEqual(['prod/eu:logs-1']);
  });

  it('assertIndexAccess throws INDEX_FORBIDDEN with the reason', () => {
    expect(() => assertIndexAccess(only(), 'prod', ['x'], SEARCH_ACTION)).toThrow(expect.objectContaining({ code: 'INDEX_FORBIDDEN', message: "indices:data/read/search on 'x' of 'prod' denied" }));
  });
});

describe('literalIndexProblems', () => {
  const at = (i: number) => `request.indices[${i}]`;

  it('reports each denied literal name at its field, date math resolved; names with a template wait for their call', () => {
    const access = only('prod/logs-2026.03.15', 'prod/logs-*');
    const problems = literalIndexProblems(at, 'prod', ['<logs-{now/d}>', 'logs-{{data.x}}', 'secret', 'logs-*,-logs-x'], SEARCH_ACTION, { clusters: null, identity: { access, now } });
    expect(problems).toEqual([[at(2), "indices:data/read/search on 'secret' of 'prod' denied"]]);
    expect(access.asked).toEqual(['prod/logs-2026.03.15', 'prod/secret', 'prod/logs-*']);
  });

  it('an exclusion is free only after the first target of the whole list, across entries', () => {
    const access = only('prod/logs-*');
    expect(literalIndexProblems(at, 'prod', ['logs-*', '-logs-x'], SEARCH_ACTION, { clusters: null, identity: { access, now } })).toEqual([]);
    expect(literalIndexProblems(at, 'prod', ['-logs-x', 'logs-*'], SEARCH_ACTION, { clusters: null, identity: { access, now } })).toHaveLength(1);
  });

  it('says nothing when the node does not know who the watch runs as', () => {
    expect(literalIndexProblems(at, 'prod', ['secret'], SEARCH_ACTION, { clusters: null })).toEqual([]);
  });
});
