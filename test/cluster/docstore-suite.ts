/**
 * The document-store conformance suite: what a state backend on Elasticsearch/OpenSearch relies on
 * (compare-and-set, realtime GET against refreshed search, bulk item errors, strict mappings,
 * templates, hidden indices, paging over snapshots), asserted on the exact answers. It runs against
 * the test cluster in every flavour through the official clients (docstore.test.ts) and against real
 * clusters when VIGIL_TEST_ES_URL / VIGIL_TEST_OPENSEARCH_URL are set (real-cluster.test.ts), so the
 * test cluster's fidelity is checkable against the products. Every index and template it makes is
 * named `vigil-ds-<random>-…` and removed afterwards.
 */
import { afterAll, describe, expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { DocClient, Outcome } from './docstore-clients.ts';
import { documentCases } from './docstore-cases-docs.ts';
import { mappingCases } from './docstore-cases-mappings.ts';
import { pagingCases } from './docstore-cases-paging.ts';

export interface DocStoreTarget {
  client: DocClient;
}

/** What each group of cases gets: the target, and names that are cleaned up afterwards. */
export interface SuiteKit {
  target(): DocStoreTarget;
  /** A fresh index name (removed after the suite). */
  index(suffix: string): string;
  /** A fresh index template name (removed after the suite). */
  template(suffix: string): string;
  /** The common prefix of every name, for patterns. */
  prefix: string;
}

/** Asserts a failed call's status and error type (and reason, exactly or by pattern); returns the error object. */
export function expectError(o: Outcome<unknown>, status: number, type: string, reason?: string | RegExp): Record<string, any> {
  expect(o.ok, JSON.stringify(o.body)).toBe(false);
  expect(o.status).toBe(status);
  const error = (o.body as { error: Record<string, any> }).error;
  expect(error.type).toBe(type);
  if (typeof reason === 'string') expect(error.reason).toBe(reason);
  else if (reason) expect(error.reason).toMatch(reason);
  expect(error.root_cause?.[0]?.type).toBeDefined();
  return error;
}

/** Asserts success and returns the body. */
export function expectOk<T>(o: Outcome<T>, status?: number): T {
  expect(o.ok, JSON.stringify(o.body)).toBe(true);
  if (status !== undefined) expect(o.status).toBe(status);
  return o.body as T;
}

export function docStoreSuite(label: string, getTarget: () => DocStoreTarget): void {
  describe(`document store conformance: ${label}`, () => {
    const prefix = `vigil-ds-${randomBytes(4).toString('hex')}`;
    const indices = new Set<string>();
    const templates = new Set<string>();
    const kit: SuiteKit = {
      target: getTarget,
      prefix,
      index: (suffix) => {
        const name = `${prefix}-${suffix}`;
        indices.add(name);
        return name;
      },
      template: (suffix) => {
        const name = `${prefix}-${suffix}`;
        templates.add(name);
        return name;
      },
    };

    afterAll(async () => {
      const { client } = getTarget();
      for (const t of templates) await client.deleteIndexTemplate(t);
      // By name: real Elasticsearch refuses wildcard deletes (action.destructive_requires_name).
      for (const i of indices) if (await client.indexExists(i)) await client.deleteIndex(i);
    });

    documentCases(kit);
    mappingCases(kit);
    pagingCases(kit);
  });
}
