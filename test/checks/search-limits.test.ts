/** The rendered search request is capped: a template that expands data into the query stops at the cap. */
import { afterEach, describe, expect, it } from 'vitest';
import { runtimeKit, type RuntimeKit } from '../kit/runtime.ts';
import { MAX_SEARCH_REQUEST_CHARS } from '../../src/checks/search.ts';
import type { SearchClient, SearchRequest } from '../../src/cluster/types.ts';

let kit: RuntimeKit;
afterEach(async () => kit?.close());

/** A cluster that records what it was asked and answers with no hits. */
function recordingCluster(): { client: SearchClient; requests: SearchRequest[] } {
  const requests: SearchRequest[] = [];
  const unused = async (): Promise<never> => {
    throw new Error('not used');
  };
  const client: SearchClient = {
    name: 'default',
    info: unused,
    async search(req) {
      requests.push(req);
      return { hits: { total: { value: 0 }, hits: [] } };
    },
    count: unused,
    index: unused,
    bulkIndex: unused,
    close: async () => {},
  };
  return { client, requests };
}

function watch(query: string) {
  return {
    trigger: { schedule: { interval: '1m' } },
    checks: [
      { type: 'static', name: 'words', target: 'words', value: { n: 1 } },
      { type: 'search', name: 'expand', target: 'r', request: { indices: ['logs'], body: { query: { query_string: { query: query } } } } },
    ],
    actions: [{ type: 'log', name: 'say', text: 'x' }],
  };
}

describe('search request cap', () => {
  it('refuses a rendered request over the cap, names the check and its field, and sends nothing', async () => {
    const cluster = recordingCluster();
    kit = runtimeKit({ searchClient: () => cluster.client });
    const w = kit.compile(watch('{{#data.chunks}}{{.}} OR {{/data.chunks}}x'));
    // 100 chunks of 100 000 characters: a 10 MB query if nothing stopped it.
    const rec = await kit.runner.run(w, { fire: null, input: { chunks: Array.from({ length: 100 }, (_, i) => `${i}`.padEnd(100_000, 'a')) } });
    expect(rec.status.code).toBe('EXECUTION_FAILED');
    expect(rec.error).toEqual({
      check: 'expand',
      message: `checks[1].request: template output exceeds its limit of ${MAX_SEARCH_REQUEST_CHARS} characters (in section {{#data.chunks}})`,
      detail: 'TEMPLATE_BUDGET_EXCEEDED',
    });
    expect(cluster.requests).toHaveLength(0);
  });

  it('sends a request under the cap as rendered (above the engine default for other templates)', async () => {
    const cluster = recordingCluster();
    kit = runtimeKit({ searchClient: () => cluster.client });
    const w = kit.compile(watch('{{#data.chunks}}{{.}} OR {{/data.chunks}}x'));
    // Two megabytes: more than a notification template may write, less than the request cap.
    const rec = await kit.runner.run(w, { fire: null, input: { chunks: Array.from({ length: 20 }, () => 'b'.repeat(100_000)) } });
    expect(rec.status.code).not.toBe('EXECUTION_FAILED');
    const q = (cluster.requests[0]!.body as { query: { query_string: { query: string } } }).query.query_string.query;
    expect(q.length).toBe(20 * 100_004 + 1);
  });
});
