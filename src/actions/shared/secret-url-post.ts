/**
 * POSTs a JSON body to an incoming-webhook URL (Slack, Microsoft Teams, Amazon Chime): the URL itself is
 * the credential, so it is the secret scrubbed from every failure message and from the response excerpt.
 */
import type { DeliverDeps } from '../types.ts';
import type { HttpResponse } from '../../net/types.ts';
import { responseDetail, send, type Failure } from './http-outcome.ts';

/**
 * Sends `body` (already JSON) to `url` and returns the response with a redacted excerpt of its body for
 * messages, or the ready failure when no response came (network, timeout, egress, destination rule).
 * What a response means is the caller's: each service answers success differently.
 */
export async function postJsonToSecretUrl(
  deps: Pick<DeliverDeps<unknown>, 'http' | 'signal'>,
  url: string,
  body: string,
): Promise<{ res: HttpResponse; detail: string } | { failure: Failure }> {
  const secrets = [url];
  const sent = await send(deps.http, { method: 'POST', url, headers: { 'content-type': 'application/json; charset=utf-8' }, body, signal: deps.signal }, secrets);
  if ('failure' in sent) return sent;
  return { res: sent.res, detail: responseDetail(sent.res, secrets) };
}
