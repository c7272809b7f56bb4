/**
 * An Amazon Chime incoming-webhook stand-in: `POST /incomingwebhooks/{id}?token={token}` (an optional
 * `format=application/json` as some webhook URLs carry) with a JSON body holding the single key
 * `Content`, a non-empty string of at most 4 KB. Success is 200 `{"MessageId","RoomId"}`; errors are
 * JSON `{"Code","Message"}`: 400 `BadRequest` for a body that is not that shape, 403 `Forbidden` for a
 * wrong token, 404 `NotFound` for an unknown webhook, 429 `Throttled` when programmed.
 */
import { randomUUID } from 'node:crypto';
import { startService, type ServiceReply, type ServiceRequest, type ServiceStandIn } from './service.ts';

export interface ChimeMessage {
  messageId: string;
  content: string;
}

export interface ChimeStandIn extends ServiceStandIn {
  /** The secret webhook URL (its token is the credential). */
  readonly webhookUrl: string;
  readonly roomId: string;
  messages(): ChimeMessage[];
  /** Queues a 429 `Throttled` answer. */
  throttle(): void;
}

/** Largest `Content`, bytes. */
export const CHIME_MAX_CONTENT_BYTES = 4096;

const WEBHOOK_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

export async function startChimeStandIn(opts: { token?: string } = {}): Promise<ChimeStandIn> {
  const token = opts.token ?? 'Vg1lChimeToken-sEcReT_0123456789abcdefghij';
  const roomId = randomUUID();
  const messages: ChimeMessage[] = [];
  const error = (status: number, code: string, message: string): ServiceReply => ({ status, body: { Code: code, Message: message } });

  const handle = (r: ServiceRequest): ServiceReply => {
    const m = /^\/incomingwebhooks\/([^/]+)$/.exec(r.path);
    if (!m || m[1] !== WEBHOOK_ID) return error(404, 'NotFound', 'The webhook was not found.');
    if (r.method !== 'POST') return error(405, 'MethodNotAllowed', 'Only POST is allowed.');
    const q = new URLSearchParams(r.query);
    if (q.get('token') !== token) return error(403, 'Forbidden', 'The webhook token is invalid.');
    const format = q.get('format');
    if (format !== null && format !== 'application/json') return error(400, 'BadRequest', `Unsupported format '${format}'.`);
    if (!/^application\/json/i.test(r.headers['content-type'] ?? '')) return error(400, 'BadRequest', 'The Content-Type must be application/json.');
    if (r.json === undefined) return error(400, 'BadRequest', 'The request body is not valid JSON.');
    const body = r.json;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return error(400, 'BadRequest', 'The request body must be a JSON object.');
    const keys = Object.keys(body);
    if (keys.length !== 1 || keys[0] !== 'Content') return error(400, 'BadRequest', 'The request body must contain exactly one key, Content.');
    const content = (body as { Content: unknown }).Content;
    if (typeof content !== 'string' || content === '') return error(400, 'BadRequest', 'Content must be a non-empty string.');
    if (Buffer.byteLength(content) > CHIME_MAX_CONTENT_BYTES) return error(400, 'BadRequest', `Content exceeds the maximum length of ${CHIME_MAX_CONTENT_BYTES} bytes.`);
    const messageId = randomUUID();
    messages.push({ messageId, content });
    return { status: 200, body: { MessageId: messageId, RoomId: roomId } };
  };

  const base = await startService(handle);
  return {
    ...base,
    webhookUrl: `${base.url}/incomingwebhooks/${WEBHOOK_ID}?format=application/json&token=${encodeURIComponent(token)}`,
    roomId,
    messages: () => messages,
    throttle: () => base.fault({ status: 429, body: { Code: 'Throttled', Message: 'Rate exceeded for the webhook.' } }),
  };
}
