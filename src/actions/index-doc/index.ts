import { z } from 'zod';
import type { ActionType } from '../types.ts';
import { ClusterError } from '../../cluster/types.ts';
import { errorMessage } from '../../errors.ts';
import { clusterProblems, DEFAULT_CLUSTER } from '../../checks/common.ts';
import { resolveIndexName } from '../../checks/date-math.ts';
import { assertIndexAccess, literalIndexProblems, WRITE_ACTION } from '../../checks/index-access.ts';

const params = z
  .object({
    index: z.string().min(1),
    doc_id: z.string().optional(),
    refresh: z.union([z.boolean(), z.enum(['true', 'false', 'wait_for'])]).optional(),
    /** Vigil: the configured cluster to write to (default `default`). */
    cluster: z.string().min(1).optional(),
  })
  .strict();

type IndexParams = z.infer<typeof params>;

interface IndexRequest {
  index: string;
  docId?: string;
  docs: Array<Record<string, unknown>>;
  refresh?: boolean | 'wait_for';
  cluster: string;
  /** The user the watch runs as, for a cluster configured to impersonate (not a secret). */
  runAs?: string;
}

/**
 * Writes `data` (or each element of `data._doc`) to the cluster. The index name may
 * use Mustache and date math (`<alerts-{now/d}>`).
 */
export const indexAction: ActionType<IndexParams> = {
  type: 'index',
  params,
  compile(p, env) {
    const index = env.template(p.index, 'plain');
    const docId = p.doc_id !== undefined ? env.template(p.doc_id, 'plain') : undefined;
    const refresh = p.refresh === 'true' ? true : p.refresh === 'false' ? false : p.refresh;
    return {
      render(view, info) {
        const r = (t: { render(v: object): { text: string; missing: string[] } }) => {
          const out = t.render(view);
          if (out.missing.length) info.reportMissing(out.missing);
          return out.text;
        };
        const data = (view.data ?? {}) as Record<string, unknown>;
        const docs = Array.isArray(data['_doc']) ? (data['_doc'] as Array<Record<string, unknown>>) : [data];
        const req: IndexRequest = {
          index: resolveIndexName(r(index), Date.parse(String(view.execution_time)) || Date.now()),
          docs,
          cluster: p.cluster ?? DEFAULT_CLUSTER,
        };
        // Checked before anything is planned: a denied write never reaches the outbox.
        assertIndexAccess(info.access, req.cluster, [req.index], WRITE_ACTION);
        if (info.access.user !== null) req.runAs = info.access.user;
        if (docId) req.docId = r(docId);
        if (refresh !== undefined) req.refresh = refresh;
        return { kind: 'fire', request: req, summary: `index ${docs.length} document(s) into ${req.index}`, destination: `index:${req.cluster}` };
      },
    };
  },
  async deliver(n, deps) {
    const req = n.request as IndexRequest;
    try {
      const client = deps.searchClient(req.cluster);
      const refresh = req.refresh !== undefined ? { refresh: req.refresh } : {};
      const options = { signal: deps.signal, ...(req.runAs !== undefined ? { runAs: req.runAs } : {}) };
      if (req.docs.length === 1) {
        await client.index({ index: req.index, document: req.docs[0]!, ...(req.docId ? { id: req.docId } : {}), ...refresh }, options);
        return { ok: true };
      }
      const errors = await client.bulkIndex(req.index, req.docs, { ...options, ...refresh });
      if (errors.length) return { ok: false, retry: false, code: 'BULK_ITEM_FAILED', message: `${errors.length} of ${req.docs.length} documents failed: ${errors[0]!.error}` };
      return { ok: true };
    } catch (e) {
      if (e instanceof ClusterError) return { ok: false, retry: e.retryable, code: e.status ? `HTTP_${e.status}` : 'CLUSTER_ERROR', message: e.message };
      return { ok: false, retry: false, code: 'INDEX_FAILED', message: errorMessage(e) };
    }
  },
  checkReferences: (p, node) => [
    ...clusterProblems('cluster', p.cluster, node),
    ...literalIndexProblems(() => 'index', p.cluster ?? DEFAULT_CLUSTER, [p.index], WRITE_ACTION, node),
  ],
  conformance: { params: () => ({ index: '<alerts-{now/d}>', cluster: 'default' }), overHttp: false },
};
