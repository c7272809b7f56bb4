/**
 * What an AWS service said when it refused a request, read from both wire protocols Vigil speaks: the
 * Query protocol (SNS, STS: `<ErrorResponse><Error><Code/><Message/></Error>`) and REST-JSON (SES v2:
 * the name in `x-amzn-ErrorType`, before a colon, the text in `message`). Errors carry service
 * wording only: they are safe to show once the caller has scrubbed its own secrets from them.
 */
import { XMLParser } from 'fast-xml-parser';
import type { HttpResponse } from '../types.ts';

export interface AwsErrorInfo {
  status: number;
  /** The service's error code (`Throttling`, `InvalidParameter`, `MessageRejected`…); `''` when the answer named none. */
  code: string;
  message: string;
}

/**
 * Codes that say "too many requests, try later", whatever their HTTP status (the Query protocol sends
 * `Throttling` with a 400).
 */
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'Throttled',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'EC2ThrottledException',
]);

/** Codes that say the credentials or their signature were refused: the same request fails again. */
const AUTH = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'IncompleteSignature',
  'IncompleteSignatureException',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
  'AccessDenied',
  'AccessDeniedException',
  'AuthorizationError',
  'NotAuthorized',
  'AuthFailure',
  'InvalidAccessKeyId',
]);

/** Codes that say temporary credentials expired: new ones (a new AssumeRole) fix it. */
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired']);

export const isThrottling = (code: string): boolean => THROTTLING.has(code);
export const isAuthFailure = (code: string): boolean => AUTH.has(code);
export const isExpiredToken = (code: string): boolean => EXPIRED.has(code);

const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true, processEntities: true });

/** Parses a Query-protocol XML answer; undefined when it is not XML. */
export function parseXml(text: string): Record<string, unknown> | undefined {
  try {
    const v = xml.parse(text) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The value at `path` of a parsed XML document, when it is text. */
export function xmlValue(doc: unknown, ...path: string[]): string | undefined {
  let cur: unknown = doc;
  for (const p of path) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return typeof cur === 'string' ? cur : typeof cur === 'number' ? String(cur) : undefined;
}

/** The error of a Query-protocol answer (SNS, STS). */
export function queryError(res: Pick<HttpResponse, 'status' | 'body'>): AwsErrorInfo {
  const doc = parseXml(res.body);
  const code = xmlValue(doc, 'ErrorResponse', 'Error', 'Code') ?? '';
  const message = xmlValue(doc, 'ErrorResponse', 'Error', 'Message') ?? '';
  return { status: res.status, code, message };
}

/** The error of a REST-JSON answer (SES v2): `x-amzn-ErrorType` (or `__type`/`code` in the body) and `message`. */
export function jsonError(res: Pick<HttpResponse, 'status' | 'body' | 'headers'>): AwsErrorInfo {
  let body: Record<string, unknown> = {};
  try {
    const v = JSON.parse(res.body) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) body = v as Record<string, unknown>;
  } catch {
    // Not JSON: a proxy's page, or an empty body.
  }
  const named = res.headers['x-amzn-errortype'] ?? (typeof body.__type === 'string' ? body.__type : typeof body.code === 'string' ? body.code : '');
  // `Name:namespace` in the header, `namespace#Name` in `__type`: keep the name.
  const code = named.split(':')[0]!.split('#').pop()!;
  const message = typeof body.message === 'string' ? body.message : typeof body.Message === 'string' ? body.Message : '';
  return { status: res.status, code, message };
}
