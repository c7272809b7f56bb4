import { z } from 'zod';
import { applyTarget, type CheckType } from './types.ts';
import { checkName, checkTarget, clusterProblems, DEFAULT_CLUSTER, timeoutValue } from './common.ts';
import { compileJsonTemplate } from '../templates/json-value.ts';
import type { SearchRequest } from '../cluster/types.ts';
import { yieldPoint } from '../budget/turns.ts';
import { accessDenied, assertIndexAccess, indexTargets, literalIndexProblems, SEARCH_ACTION } from './index-access.ts';
import { queryIndices } from './query-indices.ts';
import { VigilError } from '../errors.ts';

/**
 * Rendered search requests longer than this (characters of the JSON text) are refused: the render stops
 * there, and nothing goes to the cluster. Requests are rarely more than a few KiB; a template that
 * expands data into the query could otherwise send the cluster (and hold in memory) anything.
 */
export const MAX_SEARCH_REQUEST_CHARS = 4 * 1024 * 1024;

const requestSchema = z
  .object({
    indices: z.array(z.string().min(1)).min(1, 'at least one index is required'),
    body: z.record(z.string(), z.unknown()).optional(),
    template: z
      .object({ id: z.string().optional(), source: z.unknown().optional(), params: z.record(z.string(), z.unknown()).optional() })
      .strict()
      .optional(),
    indices_options: z
      .object({
        allow_no_indices: z.boolean().optional(),
        expand_wildcards: z.union([z.string(), z.array(z.string())]).optional(),
        ignore_unavailable: z.boolean().optional(),
        ignore_throttled: z.boolean().optional(),
      })
      .strict()
      .optional(),
    search_type: z.string().optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.body && r.template) ctx.addIssue({ code: 'custom', path: ['template'], message: 'use either body or template, not both' });
  });

const schema = z
  .object({
    type: z.literal('search'),
    name: checkName,
    target: checkTarget,
    request: requestSchema,
    timeout: timeoutValue,
    /** Vigil: the name of a configured cluster. */
    cluster: z.string().min(1).optional(),
  })
  .strict();

type SearchDef = z.infer<typeof schema>;

/** Numeric fields Elasticsearch takes as numbers; a rendered `"size": "{{n}}"` arrives as a string. */
const NUMERIC_BODY_FIELDS = ['size', 'from', 'terminate_after', 'min_score'];

function coerceNumbers(body: Record<string, unknown>): Record<string, unknown> {
  for (const f of NUMERIC_BODY_FIELDS) {
    const v = body[f];
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) body[f] = Number(v);
  }
  return body;
}

function timeoutString(t: string | number | undefined): string | undefined {
  if (t === undefined) return undefined;
  return typeof t === 'number' ? `${t}ms` : t;
}

/** Searches a cluster; the response goes to `target`. */
export const searchCheck: CheckType<SearchDef> = {
  type: 'search',
  schema,
  compile(def, env) {
    const request = compileJsonTemplate(def.request, env, { field: 'request', maxOutputChars: MAX_SEARCH_REQUEST_CHARS });
    const cluster = def.cluster ?? DEFAULT_CLUSTER;
    const timeout = timeoutString(def.timeout);
    return {
      type: 'search',
      name: def.name ?? null,
      async run(ctx, rt) {
        await yieldPoint();
        const r = request.render(ctx, rt.reportMissing);
        // The names sent are the names checked: date math is resolved here, not by the cluster.
        const now = rt.clock.now();
        const indices = indexTargets(r.indices, now);
        assertIndexAccess(rt.access, cluster, indices, SEARCH_ACTION);
        const req: SearchRequest = { indices };
        if (r.body) {
          req.body = coerceNumbers({ ...r.body });
          // Indices the query itself reads documents from (a terms lookup…) need the same permission.
          for (const read of queryIndices(req.body)) {
            const denial = accessDenied(rt.access, cluster, indexTargets([read.index], now), SEARCH_ACTION);
            if (denial) throw new VigilError('INDEX_FORBIDDEN', `request.body.${read.path}: ${denial}`);
          }
        }
        if (r.template) req.template = r.template;
        if (r.indices_options) req.indices_options = r.indices_options;
        if (timeout) req.timeout = timeout;
        const runAs = rt.access.user;
        const response = await rt.searchClient(cluster).search(req, { signal: rt.signal, ...(runAs !== null ? { runAs } : {}) });
        applyTarget(ctx, def.target, response);
        return 'continue';
      },
    };
  },
  checkReferences: (def, node) => [
    ...clusterProblems('cluster', def.cluster, node),
    ...literalIndexProblems((i) => `request.indices[${i}]`, def.cluster ?? DEFAULT_CLUSTER, def.request.indices, SEARCH_ACTION, node),
  ],
  conformance: { valid: { type: 'search', name: 'recent', target: 'hits', request: { indices: ['logs-*'], body: { size: 0 } }, cluster: 'default' } },
};
