/**
 * An AWS call as a DeliveryResult, for the SNS action and the SES sender: the request signed with the
 * account's keys, or the daemon's own credentials when the account has none (assuming the account's
 * role first when it names one), sent through the HTTP client, and every refusal classified:
 * - no credentials at all (no keys in the account, none in the daemon's environment): AUTH_FAILED, not retried;
 * - throttling (`Throttling`, `TooManyRequestsException`… whatever the status), 5xx: retried, honouring Retry-After;
 * - expired temporary credentials: the cached ones are dropped and the attempt is retried with new ones;
 * - credentials refused (`InvalidClientTokenId`, `SignatureDoesNotMatch`, `AccessDenied`…): AUTH_FAILED, not retried;
 * - other 4xx (validation, unknown topic, unverified sender…): not retried;
 * - network errors and timeouts: retried; egress and destination denial: not.
 * Messages carry the service's code and text, scrubbed of the account's secrets and session tokens.
 */
import type { HttpRequest, HttpResponse } from '../../net/types.ts';
import type { AwsCredentialProvider } from '../../net/aws/credentials.ts';
import { isAuthFailure, isExpiredToken, isThrottling, type AwsErrorInfo } from '../../net/aws/errors.ts';
import { signRequest } from '../../net/aws/sigv4.ts';
import { AwsServiceError } from '../../net/aws/sts.ts';
import type { DeliverDeps, DeliveryResult } from '../types.ts';
import { parseRetryAfter } from './classify.ts';
import { requestFailure, send, type Failure } from './http-outcome.ts';
import { scrub } from './redact.ts';
import { accountKeys, credentialSource, type AwsAccountFields } from './aws-account.ts';

export type AwsDeps = Pick<DeliverDeps<unknown>, 'http' | 'clock' | 'signal' | 'daemonAwsCredentials'>;

export const NO_AWS_CREDENTIALS = "no access keys in the account and no AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the daemon's environment";

/**
 * Classifies a refusal by `service` (`SNS`, `SES`, `STS`). `assumed`: the request was signed with
 * temporary credentials, which an expiry makes worth a retry (new ones are fetched); long-term keys
 * called expired (a request time out of the window: a clock that is off) fail again.
 */
export function awsFailure(service: string, e: AwsErrorInfo, headers: Record<string, string>, now: number, secrets: ReadonlyArray<string | undefined>, assumed = false): Failure {
  const what = `${service} ${e.status}${e.code ? ` ${e.code}` : ''}${e.message ? `: ${e.message}` : ''}`;
  const message = scrub(what.length > 400 ? `${what.slice(0, 400)}…` : what, secrets);
  const retryAfterMs = parseRetryAfter(headers['retry-after'], now);
  const after = retryAfterMs !== undefined ? { retryAfterMs } : {};
  if (isThrottling(e.code) || e.status === 429) return { ok: false, retry: true, code: 'THROTTLED', message, ...after };
  if (isExpiredToken(e.code)) return assumed ? { ok: false, retry: true, code: 'CREDENTIALS_EXPIRED', message } : { ok: false, retry: false, code: 'AUTH_FAILED', message };
  if (isAuthFailure(e.code) || e.status === 401) return { ok: false, retry: false, code: 'AUTH_FAILED', message };
  if (e.status >= 500) return { ok: false, retry: true, code: 'HTTP_5XX', message, ...after };
  if (e.status === 408) return { ok: false, retry: true, code: 'HTTP_408', message };
  return { ok: false, retry: false, code: 'HTTP_4XX', message };
}

export interface AwsCall {
  /** `SNS`, `SES`: how messages name the service. */
  service: string;
  /** The SigV4 signing name: `sns`, `ses`. */
  signingName: string;
  request: HttpRequest;
  /** Reads the service's error out of a non-2xx answer. */
  readError(res: HttpResponse): AwsErrorInfo;
}

/**
 * Signs and sends `call` with the account's credentials. Resolves with the 2xx response or a classified
 * failure; never throws for remote failures.
 */
export async function awsSend(
  call: AwsCall,
  account: AwsAccountFields,
  provider: AwsCredentialProvider,
  deps: AwsDeps,
): Promise<{ res: HttpResponse } | { failure: Failure }> {
  const base = accountKeys(account) ?? deps.daemonAwsCredentials;
  if (base === undefined) return { failure: { ok: false, retry: false, code: 'AUTH_FAILED', message: NO_AWS_CREDENTIALS } };
  const src = credentialSource(account, base);
  // The daemon's credentials are scrubbed as well: a service may quote what it was sent.
  const daemon = deps.daemonAwsCredentials;
  const secrets: Array<string | undefined> = [account.secret_access_key, daemon?.accessKeyId, daemon?.secretAccessKey, daemon?.sessionToken];
  let creds;
  try {
    creds = await provider.resolve(src, deps);
  } catch (e) {
    if (e instanceof AwsServiceError) return { failure: awsFailure('STS', e.info, {}, deps.clock.now(), secrets) };
    return { failure: requestFailure(e, secrets) };
  }
  secrets.push(creds.credentials.secretAccessKey, creds.credentials.sessionToken);
  const signed = await signRequest(call.request, { service: call.signingName, region: account.region, credentials: creds.credentials, now: deps.clock.now() });
  const sent = await send(deps.http, signed, secrets);
  if ('failure' in sent) return sent;
  const { res } = sent;
  if (res.status >= 200 && res.status < 300) return { res };
  const info = call.readError(res);
  // Temporary credentials refused as expired or unknown: the next attempt assumes the role again.
  if (creds.assumed && (isExpiredToken(info.code) || isAuthFailure(info.code))) provider.invalidate(src, creds.credentials);
  return { failure: awsFailure(call.service, info, res.headers, deps.clock.now(), secrets, creds.assumed) };
}
