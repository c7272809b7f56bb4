/**
 * A generic webhook receiver that deduplicates by `Idempotency-Key` like a careful API would (a repeat
 * key is answered 200 again but not processed twice). Optional required credentials (a header value
 * or Basic/Bearer) answer 401 when missing; a JSON content type with a body that does not parse
 * answers 400.
 */
import { startReceiver, type Receiver, type RecordedRequest, type Reply } from './base.ts';

export interface WebhookReceiver extends Receiver {
  /** Requests processed once per Idempotency-Key (first arrival). */
  deliveries(): RecordedRequest[];
  /** Repeats seen for an Idempotency-Key already processed. */
  duplicates(): number;
}

export async function startWebhookReceiver(opts: { requireHeader?: [string, string]; requireAuthorization?: string } = {}): Promise<WebhookReceiver> {
  const seen = new Map<string, RecordedRequest>();
  const processed: RecordedRequest[] = [];
  let dups = 0;
  const handle = (r: RecordedRequest): Reply => {
    if (opts.requireHeader && r.headers[opts.requireHeader[0]] !== opts.requireHeader[1]) return { status: 401, body: { error: 'missing or wrong api key' } };
    if (opts.requireAuthorization && r.headers.authorization !== opts.requireAuthorization) return { status: 401, body: { error: 'unauthorized' } };
    if (/json/.test(r.headers['content-type'] ?? '') && r.body !== '' && r.json === undefined) return { status: 400, body: { error: 'body is not valid JSON' } };
    const key = r.headers['idempotency-key'];
    if (key && seen.has(key)) {
      dups++;
      return { status: 200, body: { received: true, duplicate: true } };
    }
    if (key) seen.set(key, r);
    processed.push(r);
    return { status: 200, body: { received: true } };
  };
  const base = await startReceiver(handle);
  return { ...base, deliveries: () => processed, duplicates: () => dups };
}
