/**
 * A Microsoft Teams stand-in with both ways in:
 *
 * - A **Workflows webhook** (Power Automate "When a Teams webhook request is received" HTTP trigger):
 *   `POST /workflows/{id}/triggers/manual/paths/invoke?api-version=…&sp=…&sv=1.0&sig=…`. As in Power
 *   Automate the trigger answers 202 with no body as soon as it has a JSON body, and the flow posts the
 *   card afterwards: a malformed envelope or card, or a message over Teams' 28 KB limit, becomes a
 *   failed run ({@link TeamsStandIn.failedRuns}) while the client still saw 202. A missing or wrong
 *   `sig` answers 401, a body that is not JSON 400, in the Logic Apps error JSON.
 * - A **legacy connector** (Office 365 incoming webhook): `POST /webhookb2/{group}@{tenant}/IncomingWebhook/{id}/{owner}`
 *   takes a MessageCard (or a message envelope with Adaptive Cards) and answers synchronously: 200 with
 *   body `1`, or the connector's error texts (400 "Summary or Text is required.", 400 "Bad payload
 *   received by generic incoming webhook.", 413 over 28 KB).
 */
import { randomUUID } from 'node:crypto';
import { startService, type ServiceReply, type ServiceRequest, type ServiceStandIn } from './service.ts';
import { envelopeProblems, messageCardProblems } from './teams-card.ts';

export interface TeamsPost {
  via: 'workflow' | 'connector';
  /** The request body as parsed. */
  payload: Record<string, unknown>;
  /** The Adaptive Card contents, or the MessageCard itself for a connector card. */
  cards: unknown[];
}

export interface TeamsFailedRun {
  runId: string;
  payload: unknown;
  problems: string[];
}

export interface TeamsStandIn extends ServiceStandIn {
  /** The secret Workflows URL (its `sig` is the credential). */
  readonly workflowUrl: string;
  /** The secret legacy connector URL. */
  readonly connectorUrl: string;
  /** Messages Teams would show, in order. */
  posted(): TeamsPost[];
  /** Workflow runs that accepted a request (202) and then failed to post it. */
  failedRuns(): TeamsFailedRun[];
  /** Queues a Workflows throttling answer: 429 with `Retry-After`. */
  throttle(retryAfterSeconds?: number): void;
}

/** Teams' message size limit (the whole payload, as the post action sends it). */
export const TEAMS_MAX_BYTES = 28 * 1024;

const WORKFLOW_ID = '4e1a7c1d2b3a4f5e8d9c0b1a2f3e4d5c';
const CONNECTOR_PATH = '/webhookb2/0b1c2d3e-aaaa-4bbb-8ccc-0123456789ab@8f2c1a3e-1111-4c4c-9999-0123456789ab/IncomingWebhook/9f8e7d6c5b4a39281706f5e4d3c2b1a0/7a6b5c4d-dddd-4eee-9fff-abcdefabcdef';

const flowError = (status: number, code: string, message: string, headers: Record<string, string> = {}): ServiceReply => ({
  status,
  body: { error: { code, message } },
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
});

export async function startTeamsStandIn(opts: { sig?: string } = {}): Promise<TeamsStandIn> {
  const sig = opts.sig ?? 'Vg1lSig0TeamsWorkflow-sEcReT_0123456789abcd';
  const posted: TeamsPost[] = [];
  const failed: TeamsFailedRun[] = [];

  const workflow = (r: ServiceRequest, query: URLSearchParams): ServiceReply => {
    if (r.method !== 'POST') return flowError(405, 'TriggerRequestMethodNotValid', `The HTTP method for this request is not valid: expected 'Post' and actual '${r.method}'.`);
    if (!query.get('sig')) return flowError(401, 'DirectApiAuthorizationRequired', 'The request must be authenticated only by Shared Access scheme.');
    if (query.get('sig') !== sig || query.get('sp') !== '/triggers/manual/run' || query.get('sv') !== '1.0' || !query.get('api-version')) {
      return flowError(401, 'DirectApiInvalidAuthorizationSignature', 'The provided shared access signature is not valid for this request.');
    }
    if (!/^application\/json/i.test(r.headers['content-type'] ?? '')) {
      return flowError(400, 'InvalidRequestContent', "The request content type must be 'application/json' for this trigger.");
    }
    if (r.json === undefined) {
      return flowError(400, 'InvalidRequestContent', `The request content is not valid and could not be deserialized: 'Unexpected character encountered while parsing value. Path '', line 1.'.`);
    }
    const runId = `08584${randomUUID().replace(/-/g, '').slice(0, 20).toUpperCase()}`;
    const payload = r.json;
    const problems =
      payload === null || typeof payload !== 'object' || Array.isArray(payload) ? ['the trigger body must be a JSON object'] : envelopeProblems(payload as Record<string, unknown>);
    if (r.raw.length > TEAMS_MAX_BYTES) problems.push(`the message is ${r.raw.length} bytes, over Teams' ${TEAMS_MAX_BYTES}-byte limit (RequestEntityTooLarge)`);
    if (problems.length) failed.push({ runId, payload, problems });
    else {
      const p = payload as Record<string, unknown>;
      posted.push({ via: 'workflow', payload: p, cards: (p.attachments as Array<{ content: unknown }>).map((a) => a.content) });
    }
    return { status: 202, headers: { 'x-ms-workflow-run-id': runId, 'x-ms-workflow-name': WORKFLOW_ID } };
  };

  const connector = (r: ServiceRequest): ServiceReply => {
    const text = (status: number, body: string): ServiceReply => ({ status, body, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    const badPayload = text(400, 'Bad payload received by generic incoming webhook.');
    if (r.method !== 'POST') return text(405, 'Method Not Allowed');
    if (r.raw.length > TEAMS_MAX_BYTES) {
      return text(413, `Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 413 with ContextId tcid=0,server=msgapi-canary-eus-02-9,cv=${randomUUID()}.0..`);
    }
    const p = r.json;
    if (p === null || typeof p !== 'object' || Array.isArray(p)) return badPayload;
    const card = p as Record<string, unknown>;
    if (card.type === 'message' || card.attachments !== undefined) {
      if (envelopeProblems(card).length) return badPayload;
      posted.push({ via: 'connector', payload: card, cards: (card.attachments as Array<{ content: unknown }>).map((a) => a.content) });
      return text(200, '1');
    }
    if (!(typeof card.summary === 'string' && card.summary !== '') && !(typeof card.text === 'string' && card.text !== '')) return text(400, 'Summary or Text is required.');
    if (messageCardProblems(card).length) return badPayload;
    posted.push({ via: 'connector', payload: card, cards: [card] });
    return text(200, '1');
  };

  const handle = (r: ServiceRequest): ServiceReply => {
    const query = new URLSearchParams(r.query);
    if (r.path === `/workflows/${WORKFLOW_ID}/triggers/manual/paths/invoke`) return workflow(r, query);
    if (r.path.startsWith('/workflows/')) return flowError(404, 'WorkflowNotFound', `The workflow '${r.path.split('/')[2]}' could not be found.`);
    if (r.path === CONNECTOR_PATH) return connector(r);
    if (r.path.startsWith('/webhookb2/')) return { status: 404, body: 'Webhook not found or it has been removed.' };
    return { status: 404, body: 'Not Found' };
  };

  const base = await startService(handle);
  const q = new URLSearchParams({ 'api-version': '2016-06-01', sp: '/triggers/manual/run', sv: '1.0', sig });
  return {
    ...base,
    workflowUrl: `${base.url}/workflows/${WORKFLOW_ID}/triggers/manual/paths/invoke?${q}`,
    connectorUrl: `${base.url}${CONNECTOR_PATH}`,
    posted: () => posted,
    failedRuns: () => failed,
    throttle: (retryAfterSeconds = 10) => {
      const e = flowError(429, 'WorkflowRequestsThrottled', 'The workflow trigger has been throttled. Retry the request after the time given in Retry-After.', {
        'retry-after': String(retryAfterSeconds),
      });
      base.fault({ status: e.status, body: e.body as object, headers: e.headers! });
    },
  };
}
