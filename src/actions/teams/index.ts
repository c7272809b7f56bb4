/**
 * Microsoft Teams through a Workflows webhook (the "When a Teams webhook request is received" trigger)
 * or a legacy Office 365 connector. Both take an Adaptive Card in a message envelope, which is what
 * Vigil sends by default; connectors also take a MessageCard (`format: "message_card"`). Text is
 * rendered JSON-safe; Vigil's card is coloured by the watch's severity and cut to Teams' 28 KB limit.
 *
 * Answers: Workflows 202 with no body (the post to the channel happens afterwards, out of sight: a
 * card Teams cannot render fails there, so Vigil only sends cards of known shape); connectors 200 `1`,
 * or a 200 whose text says delivery failed (with Teams' own status in it: 429 is retried). 429 and 5xx
 * are retried (Retry-After honoured); 4xx are not.
 */
import { z } from 'zod';
import type { ActionType, ChannelMessage, CompiledAction, DeliverDeps, DeliveryResult, RenderedNotification } from '../types.ts';
import type { CompileEnv } from '../../checks/types.ts';
import { VigilError } from '../../errors.ts';
import { compileJsonDocument, compileLeaf, compileTree, type LeafTemplate, type TreeTemplate } from '../shared/json-template.ts';
import { statusFailure } from '../shared/http-outcome.ts';
import { postJsonToSecretUrl } from '../shared/secret-url-post.ts';
import { testDeliverDeps, type TestAccountDeps } from '../shared/test-account.ts';
import { urlDestination } from '../shared/account-destination.ts';
import { firstLine } from '../shared/fit.ts';
import { envelope, fittedPayload, TEAMS_MAX_BYTES } from './card.ts';
import { teamsAccount, teamsParams, type TeamsAccount, type TeamsParams } from './schema.ts';

function summaryOf(payload: unknown): string {
  const p = payload as { summary?: string; title?: string; attachments?: Array<{ content?: { body?: Array<{ text?: string; items?: Array<{ text?: string }> }> } }> };
  const first = p.attachments?.[0]?.content?.body?.[0];
  const text = p.title ?? p.summary ?? first?.items?.[0]?.text ?? first?.text ?? '';
  return `teams: ${firstLine(String(text))}`;
}

function notification(payload: unknown): RenderedNotification {
  return { kind: 'fire', request: payload, summary: summaryOf(payload), destination: 'teams' };
}

/** A rendered raw card: an Adaptive Card is put in the envelope, an envelope or MessageCard goes as it is. */
function rawPayload(card: unknown, format: 'adaptive_card' | 'message_card'): unknown {
  if (card === null || typeof card !== 'object' || Array.isArray(card)) throw new VigilError('INVALID_REQUEST', 'card did not render to a JSON object');
  const c = card as Record<string, unknown>;
  if (format === 'message_card') {
    if (typeof c.summary !== 'string' && typeof c.text !== 'string') throw new VigilError('INVALID_REQUEST', 'card: a MessageCard needs summary or text');
    return c;
  }
  if (c.type === 'message') return c;
  if (c.type !== 'AdaptiveCard') throw new VigilError('INVALID_REQUEST', 'card: an Adaptive Card needs "type": "AdaptiveCard" (or give a whole "type": "message" envelope)');
  return envelope(c);
}

function compile(p: TeamsParams, env: CompileEnv): CompiledAction {
  const format = p.format ?? 'adaptive_card';
  const title: LeafTemplate | undefined = p.title !== undefined ? compileLeaf(env, p.title, 'json', 'title') : undefined;
  const text: LeafTemplate | undefined = p.text !== undefined ? compileLeaf(env, p.text, 'json', 'text') : undefined;
  const card: TreeTemplate | undefined =
    p.card === undefined ? undefined : typeof p.card === 'string' ? compileJsonDocument(env, p.card, 'card') : compileTree(env, p.card, () => 'json', 'card');
  return {
    render(view, info) {
      const missing: string[] = [];
      const payload = card
        ? rawPayload(card.render(view, missing), format)
        : fittedPayload(format, title?.render(view, missing), text?.render(view, missing), info.severityLevel);
      if (missing.length) info.reportMissing([...new Set(missing)]);
      return notification(payload);
    },
  };
}

async function post(payload: unknown, deps: DeliverDeps<TeamsAccount>): Promise<DeliveryResult> {
  const account = deps.account;
  if (!account) return { ok: false, retry: false, code: 'ACCOUNT_NOT_FOUND', message: 'teams action needs a teams account' };
  const body = JSON.stringify(payload);
  // A raw card can be any size; Workflows would take it and drop it silently.
  if (Buffer.byteLength(body) > TEAMS_MAX_BYTES) {
    return { ok: false, retry: false, code: 'PAYLOAD_TOO_LARGE', message: `the message is ${Buffer.byteLength(body)} bytes; Teams takes at most ${TEAMS_MAX_BYTES}` };
  }
  const sent = await postJsonToSecretUrl(deps, account.url, body);
  if ('failure' in sent) return sent.failure;
  const { res, detail } = sent;
  if (res.status === 202) return { ok: true, detail: 'accepted by the workflow' };
  if (res.status === 200) {
    const text = res.body.trim();
    if (text === '1' || text === '') return { ok: true, detail: 'posted' };
    // Connectors answer 200 with a text when Teams itself refused the message; its status is in the text.
    const status = /HTTP error (\d{3})/.exec(text)?.[1];
    if (status === '429' || status?.startsWith('5')) return { ok: false, retry: true, code: status === '429' ? 'HTTP_429' : 'HTTP_5XX', message: `HTTP 200: ${detail}` };
    return { ok: false, retry: false, code: 'UNEXPECTED_RESPONSE', message: `HTTP 200: ${detail}` };
  }
  return statusFailure(res, deps.clock.now(), detail);
}

/** `_test` for a Teams account: posts one Adaptive Card through the real path. */
export async function testAccount(account: TeamsAccount, opts: { title?: string; text?: string; format?: 'adaptive_card' | 'message_card' }, deps: TestAccountDeps): Promise<DeliveryResult> {
  const payload = fittedPayload(opts.format ?? 'adaptive_card', opts.title ?? 'Vigil test message', opts.text ?? 'This Teams webhook works.', 'info');
  return post(payload, testDeliverDeps(account, deps, 'teams-test'));
}

/** A channel message as Vigil's Adaptive Card: the subject as the coloured title, the message as its text. */
export function formatChannelMessage(msg: ChannelMessage): RenderedNotification {
  return notification(fittedPayload('adaptive_card', msg.subject, msg.message, msg.severity));
}

export const teamsAction: ActionType<TeamsParams, TeamsAccount> = {
  type: 'teams',
  params: teamsParams,
  account: {
    ...teamsAccount,
    required: true,
    destination: (account) => urlDestination(account.url),
    test: {
      body: z.strictObject({ title: z.string().max(1000).optional(), text: z.string().max(10_000).optional(), format: z.enum(['adaptive_card', 'message_card']).optional() }),
      run: testAccount,
    },
  },
  compile,
  deliver: (n, deps) => post(n.request, deps),
  channel: { format: formatChannelMessage },
  conformance: {
    params: () => ({ title: 'Watch {{watch.id}}', text: 'hello {{data.x}}' }),
    account: { example: (base) => ({ url: `${base}/workflows/conf/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=confTeamsSigRR5353` }), secrets: ['confTeamsSigRR5353'] },
    overHttp: true,
  },
};
