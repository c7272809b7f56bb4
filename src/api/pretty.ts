/**
 * Elasticsearch's `?pretty`: Signals users add it to every curl out of habit. It is taken off the query
 * before any route reads it (so routes that refuse unknown parameters do not refuse it) and the JSON
 * answer is indented. `?pretty=false` is the compact answer, as on Elasticsearch.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';

const wantsPretty = new WeakSet<FastifyRequest>();

export function installPretty(f: FastifyInstance): void {
  f.addHook('onRequest', async (req) => {
    const q = req.query as Record<string, unknown> | undefined;
    if (!q || typeof q !== 'object' || !Object.hasOwn(q, 'pretty')) return;
    const v = q.pretty;
    delete q.pretty;
    if (v !== 'false') wantsPretty.add(req);
  });
  f.addHook('onSend', async (req, reply, payload) => {
    if (!wantsPretty.has(req) || typeof payload !== 'string' || payload.length === 0) return payload;
    if (!String(reply.getHeader('content-type') ?? '').startsWith('application/json')) return payload;
    try {
      return `${JSON.stringify(JSON.parse(payload), null, 2)}\n`;
    } catch {
      return payload;
    }
  });
}
