/**
 * STS `AssumeRole` over the Query protocol: one signed form POST, its XML answer read for the temporary
 * credentials. No AWS SDK: one small call does not need its weight, and the request goes through
 * Vigil's own HTTP client (egress policy, timeouts, the account's destination).
 */
import type { HttpClient } from '../types.ts';
import { signRequest, type AwsCredentials } from './sigv4.ts';
import { parseXml, queryError, xmlValue, type AwsErrorInfo } from './errors.ts';
import { queryBody, QUERY_CONTENT_TYPE } from './query.ts';

/** Temporary credentials from STS, with their expiry. */
export interface TemporaryCredentials extends AwsCredentials {
  readonly sessionToken: string;
  /** Epoch ms. */
  readonly expiresAt: number;
}

/** An AWS service refused a request (or answered something unreadable: `code` `MalformedResponse`). */
export class AwsServiceError extends Error {
  readonly info: AwsErrorInfo;
  /** The operation that failed: `AssumeRole`, `Publish`, `SendEmail`. */
  readonly operation: string;
  constructor(operation: string, info: AwsErrorInfo) {
    super(`${operation}: HTTP ${info.status}${info.code ? ` ${info.code}` : ''}${info.message ? `: ${info.message}` : ''}`);
    this.name = 'AwsServiceError';
    this.operation = operation;
    this.info = info;
  }
}

export interface AssumeRoleInput {
  /** The STS endpoint's base URL. */
  endpoint: string;
  /** The signing region. */
  region: string;
  /** The long-term keys that may assume the role. */
  credentials: AwsCredentials;
  roleArn: string;
  externalId?: string | undefined;
  /** 2–64 characters of `[\w+=,.@-]`. */
  sessionName: string;
  /** Default 3600 (STS's own default). */
  durationSeconds?: number;
  /** Signing time, epoch ms. */
  now: number;
  signal?: AbortSignal | undefined;
}

/**
 * Calls AssumeRole. Throws AwsServiceError for a refusal (its `info.code` tells throttling from access
 * denied), and the HTTP client's HttpError for network failures and egress denial.
 */
export async function assumeRole(http: HttpClient, i: AssumeRoleInput): Promise<TemporaryCredentials> {
  const params: Array<[string, string]> = [
    ['Action', 'AssumeRole'],
    ['Version', '2011-06-15'],
    ['RoleArn', i.roleArn],
    ['RoleSessionName', i.sessionName],
    ['DurationSeconds', String(i.durationSeconds ?? 3600)],
  ];
  if (i.externalId !== undefined) params.push(['ExternalId', i.externalId]);
  const req = await signRequest(
    { method: 'POST', url: `${i.endpoint.replace(/\/+$/, '')}/`, headers: { 'content-type': QUERY_CONTENT_TYPE }, body: queryBody(params), ...(i.signal ? { signal: i.signal } : {}) },
    { service: 'sts', region: i.region, credentials: i.credentials, now: i.now },
  );
  const res = await http.request(req);
  if (res.status < 200 || res.status >= 300) throw new AwsServiceError('AssumeRole', queryError(res));
  const doc = parseXml(res.body);
  const creds = ['AssumeRoleResponse', 'AssumeRoleResult', 'Credentials'];
  const accessKeyId = xmlValue(doc, ...creds, 'AccessKeyId');
  const secretAccessKey = xmlValue(doc, ...creds, 'SecretAccessKey');
  const sessionToken = xmlValue(doc, ...creds, 'SessionToken');
  const expiresAt = Date.parse(xmlValue(doc, ...creds, 'Expiration') ?? '');
  if (!accessKeyId || !secretAccessKey || !sessionToken || Number.isNaN(expiresAt)) {
    throw new AwsServiceError('AssumeRole', { status: res.status, code: 'MalformedResponse', message: 'the answer holds no credentials' });
  }
  return { accessKeyId, secretAccessKey, sessionToken, expiresAt };
}
