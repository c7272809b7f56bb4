import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChimeStandIn, type ChimeStandIn } from '../../kit/receivers/chime.ts';
import { startTeamsStandIn, TEAMS_MAX_BYTES, type TeamsStandIn } from '../../kit/receivers/teams.ts';
import { HOSTILE } from './aws-helpers.ts';

let teams: TeamsStandIn;
let chime: ChimeStandIn;
beforeAll(async () => {
  teams = await startTeamsStandIn();
  chime = await startChimeStandIn();
});
afterAll(async () => {
  await teams.close();
  await chime.close();
});

const post = async (url: string, body: unknown, contentType = 'application/json') => {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await r.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, text, json, headers: r.headers };
};

const card = (body: unknown[] = [{ type: 'TextBlock', text: `Disk full ${HOSTILE}`, wrap: true }], extra: Record<string, unknown> = {}) => ({
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  type: 'AdaptiveCard',
  version: '1.4',
  body,
  ...extra,
});
const envelope = (content: unknown = card()) => ({ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content }] });

describe('Teams stand-in: Workflows webhook', () => {
  it('answers 202 with no body and posts a valid Adaptive Card', async () => {
    const full = card(
      [
        { type: 'TextBlock', text: 'Title', size: 'Large' },
        { type: 'FactSet', facts: [{ title: 'Host', value: 'web-1' }] },
        { type: 'ColumnSet', columns: [{ type: 'Column', items: [{ type: 'Image', url: 'https://x.example/a.png' }] }] },
        { type: 'Container', items: [{ type: 'RichTextBlock', inlines: ['a', { type: 'TextRun', text: 'b' }] }] },
        { type: 'ActionSet', actions: [{ type: 'Action.OpenUrl', title: 'Open', url: 'https://x.example' }] },
      ],
      { actions: [{ type: 'Action.ShowCard', title: 'More', card: { type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: 'more' }] } }], msteams: { width: 'Full' } },
    );
    const r = await post(teams.workflowUrl, envelope(full));
    expect([r.status, r.text]).toEqual([202, '']);
    expect(teams.posted().at(-1)).toEqual({ via: 'workflow', payload: envelope(full), cards: [full] });
  });

  it('accepts a malformed card with 202, as Power Automate does, and records the failed run with paths', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ text: 'legacy shape' }, /^type: must be "message"/],
      [envelope(card([{ type: 'TextBlock' }])), /attachments\[0\]\.content\.body\[0\]\.text: required string/],
      [envelope(card([{ type: 'Paragraph', text: 'x' }])), /body\[0\]\.type: unknown element type "Paragraph"/],
      [envelope({ ...card(), version: '1.6' }), /content\.version: must be "1\.0" to "1\.5"/],
      [envelope(card([{ type: 'FactSet', facts: [{ title: 'a', value: 1 }] }])), /facts\[0\]: needs string title and value/],
      [envelope(card(undefined, { actions: [{ type: 'Action.OpenUrl' }] })), /actions\[0\]\.url: required string/],
      [{ type: 'message', attachments: [{ contentType: 'application/json', content: card() }] }, /contentType: must be "application\/vnd\.microsoft\.card\.adaptive"/],
      [envelope(card([{ type: 'TextBlock', text: 'x'.repeat(TEAMS_MAX_BYTES) }])), /over Teams' 28672-byte limit/],
    ];
    for (const [payload, problem] of cases) {
      const before = teams.posted().length;
      const r = await post(teams.workflowUrl, payload);
      expect(r.status).toBe(202);
      expect(teams.posted()).toHaveLength(before);
      expect(teams.failedRuns().at(-1)!.problems.join('\n')).toMatch(problem);
    }
  });

  it('refuses a missing or wrong signature, a non-JSON body, and throttles on demand', async () => {
    const noSig = await post(teams.workflowUrl.replace(/&sig=[^&]+/, ''), envelope());
    expect([noSig.status, noSig.json.error.code]).toEqual([401, 'DirectApiAuthorizationRequired']);
    const badSig = await post(teams.workflowUrl.replace(/sig=[^&]+/, 'sig=forged'), envelope());
    expect([badSig.status, badSig.json.error.code]).toEqual([401, 'DirectApiInvalidAuthorizationSignature']);
    const broken = await post(teams.workflowUrl, '{"type":"message",');
    expect([broken.status, broken.json.error.code]).toEqual([400, 'InvalidRequestContent']);
    expect((await post(teams.workflowUrl, 'hi', 'text/plain')).status).toBe(400);
    teams.throttle(30);
    const t = await post(teams.workflowUrl, envelope());
    expect([t.status, t.headers.get('retry-after'), t.json.error.code]).toEqual([429, '30', 'WorkflowRequestsThrottled']);
    expect((await post(teams.workflowUrl, envelope())).status).toBe(202);
  });
});

describe('Teams stand-in: legacy connector', () => {
  it('answers 200 "1" for a MessageCard or a card envelope', async () => {
    const mc = {
      '@type': 'MessageCard',
      '@context': 'https://schema.org/extensions',
      summary: 'Disk full',
      themeColor: 'D70000',
      title: `Disk full ${HOSTILE}`,
      sections: [{ activityTitle: 'web-1', facts: [{ name: 'Usage', value: '95%' }], markdown: true }],
      potentialAction: [{ '@type': 'OpenUri', name: 'Open', targets: [{ os: 'default', uri: 'https://x.example' }] }],
    };
    const r = await post(teams.connectorUrl, mc);
    expect([r.status, r.text]).toEqual([200, '1']);
    expect(teams.posted().at(-1)).toMatchObject({ via: 'connector', cards: [mc] });
    expect((await post(teams.connectorUrl, envelope())).text).toBe('1');
  });

  it("answers bad payloads with the connector's own texts", async () => {
    expect(await post(teams.connectorUrl, { '@type': 'MessageCard', title: 'no summary' })).toMatchObject({ status: 400, text: 'Summary or Text is required.' });
    expect(await post(teams.connectorUrl, '{"text": ')).toMatchObject({ status: 400, text: 'Bad payload received by generic incoming webhook.' });
    expect(await post(teams.connectorUrl, { text: 'x', themeColor: 'red' })).toMatchObject({ status: 400, text: 'Bad payload received by generic incoming webhook.' });
    expect(await post(teams.connectorUrl, envelope(card([{ type: 'Nope' }])))).toMatchObject({ status: 400 });
    const big = await post(teams.connectorUrl, { text: 'x'.repeat(TEAMS_MAX_BYTES) });
    expect(big.status).toBe(413);
    expect(big.text).toMatch(/^Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 413/);
    expect((await post(teams.connectorUrl.replace('IncomingWebhook/9f8e', 'IncomingWebhook/0000'), { text: 'x' })).status).toBe(404);
  });
});

describe('Chime stand-in: incoming webhook', () => {
  it('posts {"Content"} and answers MessageId and RoomId', async () => {
    const content = `Disk full ${HOSTILE}\n@All`;
    const r = await post(chime.webhookUrl, { Content: content });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ MessageId: chime.messages().at(-1)!.messageId, RoomId: chime.roomId });
    expect(chime.messages().at(-1)!.content).toBe(content);
    expect((await post(chime.webhookUrl, { Content: '\u00e9'.repeat(2048) })).status).toBe(200);
  });

  it('refuses other shapes, long content, wrong tokens and unknown webhooks; throttles on demand', async () => {
    const cases: Array<[unknown, string]> = [
      [{ Content: '' }, 'Content must be a non-empty string.'],
      [{ content: 'x' }, 'The request body must contain exactly one key, Content.'],
      [{ Content: 'x', Extra: 1 }, 'The request body must contain exactly one key, Content.'],
      [{ Content: 42 }, 'Content must be a non-empty string.'],
      ['{"Content": "x', 'The request body is not valid JSON.'],
      [{ Content: `${'\u00e9'.repeat(2048)}x` }, 'Content exceeds the maximum length of 4096 bytes.'],
    ];
    for (const [body, message] of cases) expect((await post(chime.webhookUrl, body)).json).toEqual({ Code: 'BadRequest', Message: message });
    expect((await post(chime.webhookUrl, { Content: 'x' }, 'text/plain')).status).toBe(400);
    expect((await post(chime.webhookUrl.replace(/token=[^&]+/, 'token=wrong'), { Content: 'x' })).json.Code).toBe('Forbidden');
    expect((await post(chime.webhookUrl.replace(/incomingwebhooks\/[^?]+/, 'incomingwebhooks/other'), { Content: 'x' })).status).toBe(404);
    chime.throttle();
    expect((await post(chime.webhookUrl, { Content: 'x' })).json).toEqual({ Code: 'Throttled', Message: 'Rate exceeded for the webhook.' });
    expect((await post(chime.webhookUrl, { Content: 'x' })).status).toBe(200);
  });
});
