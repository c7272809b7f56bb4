/**
 * Amazon Chime through an incoming webhook: `POST <url>` with `{"Content": text}`, the text at most
 * 4 KB (cut with a marker beyond). The text is rendered JSON-safe. Chime answers 200
 * `{"MessageId","RoomId"}`; errors are `{"Code","Message"}`: 429 and 5xx are retried, the rest not.
 */
import { z } from 'zod';
import type { ActionType, ChannelMessage, DeliverDeps, DeliveryResult, RenderedNotification } from '../types.ts';
import { compileLeaf } from '../shared/json-template.ts';
import { statusFailure } from '../shared/http-outcome.ts';
import { postJsonToSecretUrl } from '../shared/secret-url-post.ts';
import { testDeliverDeps, type TestAccountDeps } from '../shared/test-account.ts';
import { urlDestination } from '../shared/account-destination.ts';
import { firstLine, fitBytes } from '../shared/fit.ts';
import { chimeAccount, chimeParams, type ChimeAccount, type ChimeParams } from './schema.ts';

/** Chime's limit on `Content`, bytes. */
export const CHIME_MAX_CONTENT_BYTES = 4096;

/** The body Chime receives. */
export interface ChimeMessage {
  Content: string;
}

function notification(content: string): RenderedNotification {
  const msg: ChimeMessage = { Content: fitBytes(content, CHIME_MAX_CONTENT_BYTES) };
  return { kind: 'fire', request: msg, summary: `chime: ${firstLine(content)}`, destination: 'chime' };
}

async function post(msg: ChimeMessage, deps: DeliverDeps<ChimeAccount>): Promise<DeliveryResult> {
  const account = deps.account;
  if (!account) return { ok: false, retry: false, code: 'ACCOUNT_NOT_FOUND', message: 'chime action needs a chime account' };
  const sent = await postJsonToSecretUrl(deps, account.url, JSON.stringify(msg));
  if ('failure' in sent) return sent.failure;
  const { res, detail } = sent;
  if (res.status >= 200 && res.status < 300) {
    let messageId: unknown;
    try {
      messageId = (JSON.parse(res.body) as { MessageId?: unknown }).MessageId;
    } catch {
      messageId = undefined;
    }
    return { ok: true, detail: typeof messageId === 'string' ? `message ${messageId}` : `HTTP ${res.status}`, ...(typeof messageId === 'string' ? { response: { MessageId: messageId } } : {}) };
  }
  return statusFailure(res, deps.clock.now(), detail);
}

/** `_test` for a Chime account: posts one short message through the real path. */
export async function testAccount(account: ChimeAccount, opts: { text?: string }, deps: TestAccountDeps): Promise<DeliveryResult> {
  return post({ Content: opts.text ?? 'Vigil test message: this Chime webhook works.' }, testDeliverDeps(account, deps, 'chime-test'));
}

/** A channel message as Chime text: the subject on the first line, the message after a blank line. */
export function formatChannelMessage(msg: ChannelMessage): RenderedNotification {
  const head = msg.severity ? `[${msg.severity.toUpperCase()}] ${msg.subject}` : msg.subject;
  return notification(msg.message ? `${head}\n\n${msg.message}` : head);
}

export const chimeAction: ActionType<ChimeParams, ChimeAccount> = {
  type: 'chime',
  params: chimeParams,
  account: {
    ...chimeAccount,
    required: true,
    destination: (account) => urlDestination(account.url),
    test: { body: z.strictObject({ text: z.string().min(1).max(CHIME_MAX_CONTENT_BYTES).optional() }), run: testAccount },
  },
  compile(p, env) {
    const text = compileLeaf(env, p.text, 'json', 'text');
    return {
      render(view, info) {
        const missing: string[] = [];
        const n = notification(text.render(view, missing));
        if (missing.length) info.reportMissing([...new Set(missing)]);
        return n;
      },
    };
  },
  deliver: (n, deps) => post(n.request as ChimeMessage, deps),
  channel: { format: formatChannelMessage },
  conformance: {
    params: () => ({ text: 'hello {{data.x}}' }),
    account: { example: (base) => ({ url: `${base}/incomingwebhooks/conf?format=application/json&token=confChimeTokenQQ4242` }), secrets: ['confChimeTokenQQ4242'] },
    overHttp: true,
  },
};
