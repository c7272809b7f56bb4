/**
 * What `--simulate` and the watch log show of a rendered request: everything but values under keys that
 * name credentials (an inline webhook `auth` password, an Authorization header). Account secrets never
 * reach a rendered request; this covers what a watch author wrote inline.
 */
const SECRET_KEY = /pass(word)?|authorization|token|secret|api[_-]?key|private[_-]?key|integration_key|routing_key|cookie/i;

export function redactRequest(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactRequest);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) && v !== null && typeof v !== 'object' ? '[redacted]' : redactRequest(v);
    return out;
  }
  return value;
}
