/**
 * A Slack incoming-webhook receiver: answers like hooks.slack.com. Success is `200 ok` (text/html);
 * errors are short text codes with the status Slack uses: 400 `invalid_payload` / `no_text`,
 * 403 `invalid_token`, 404 `no_service` / `channel_not_found`, 410 `channel_is_archived`,
 * 429 `rate_limited` with Retry-After, 500 `rollup_error`.
 */
import { startReceiver, type Receiver, type RecordedRequest, type Reply } from './base.ts';

export interface SlackReceiver extends Receiver {
  /** The secret webhook URL for the configured workspace/token. */
  readonly webhookUrl: string;
  /** Accepted messages, parsed. */
  messages(): Array<Record<string, unknown>>;
  /** Channels that exist (default: `#alerts`, `#ops`); other channels get `channel_not_found`. */
  channels: Set<string>;
}

const TEAM = 'T0VIGIL01';
const BOT = 'B0VIGIL02';

export async function startSlackReceiver(token = 'xq9Zsecret0Slack0Token0abc'): Promise<SlackReceiver> {
  const channels = new Set(['#alerts', '#ops']);
  const accepted: Array<Record<string, unknown>> = [];
  const check = (r: RecordedRequest): Reply => {
    if (r.method !== 'POST') return { status: 405, body: 'invalid_method' };
    const m = /^\/services\/([^/]+)\/([^/]+)\/([^/?]+)$/.exec(r.url);
    if (!m || m[1] !== TEAM || m[2] !== BOT) return { status: 404, body: 'no_service' };
    if (m[3] !== token) return { status: 403, body: 'invalid_token' };
    if (!(r.headers['content-type'] ?? '').startsWith('application/json')) return { status: 400, body: 'invalid_payload' };
    const msg = r.json;
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) return { status: 400, body: 'invalid_payload' };
    const p = msg as Record<string, unknown>;
    for (const k of ['text', 'channel', 'username', 'icon_emoji'] as const) {
      if (p[k] !== undefined && typeof p[k] !== 'string') return { status: 400, body: 'invalid_payload' };
    }
    for (const k of ['blocks', 'attachments'] as const) {
      if (p[k] !== undefined && !Array.isArray(p[k])) return { status: 400, body: 'invalid_blocks_format' };
    }
    if (!p.text && !p.blocks && !p.attachments) return { status: 400, body: 'no_text' };
    if (typeof p.text === 'string' && p.text.length > 40_000) return { status: 400, body: 'msg_too_long' };
    if (typeof p.channel === 'string' && !channels.has(p.channel)) return { status: 404, body: 'channel_not_found' };
    accepted.push(p);
    return { status: 200, body: 'ok', headers: { 'content-type': 'text/html' } };
  };
  const base = await startReceiver(check);
  return {
    ...base,
    webhookUrl: `${base.url}/services/${TEAM}/${BOT}/${token}`,
    messages: () => accepted,
    channels,
  };
}
