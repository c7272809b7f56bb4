/**
 * Answer shapes of the two AWS wire protocols the stand-ins speak: the Query protocol (SNS, STS: form
 * request, XML response, `ErrorResponse` errors) and REST-JSON (SES v2: JSON, errors as
 * `{"message": …}` with the error name in `x-amzn-ErrorType`). Also how each maps a signature problem
 * to the service's error code and status.
 */
import { randomUUID } from 'node:crypto';
import type { ServiceReply } from '../service.ts';
import { xmlText } from '../service.ts';
import type { SigV4Problem } from './sigv4-verify.ts';

export interface AwsError {
  status: number;
  code: string;
  message: string;
}

/** A Query-protocol success: `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>…`. */
export function queryResult(action: string, ns: string, resultXml: string, requestId = randomUUID()): ServiceReply {
  const body =
    `<${action}Response xmlns="${ns}">\n  <${action}Result>\n${resultXml}  </${action}Result>\n` +
    `  <ResponseMetadata>\n    <RequestId>${requestId}</RequestId>\n  </ResponseMetadata>\n</${action}Response>\n`;
  return { status: 200, body, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId } };
}

/** A Query-protocol error: `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`. */
export function queryError(ns: string, e: AwsError, requestId = randomUUID()): ServiceReply {
  const type = e.status >= 500 ? 'Receiver' : 'Sender';
  const body =
    `<ErrorResponse xmlns="${ns}">\n  <Error>\n    <Type>${type}</Type>\n    <Code>${xmlText(e.code)}</Code>\n` +
    `    <Message>${xmlText(e.message)}</Message>\n  </Error>\n  <RequestId>${requestId}</RequestId>\n</ErrorResponse>\n`;
  return { status: e.status, body, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId } };
}

/** A REST-JSON error as SES v2 sends it: JSON `{"message"}`, the name in `x-amzn-ErrorType`. */
export function jsonError(e: AwsError, requestId = randomUUID()): ServiceReply {
  return {
    status: e.status,
    body: { message: e.message },
    headers: {
      'content-type': 'application/json',
      // The real header carries the error's namespace after a colon; clients must keep only the name.
      'x-amzn-errortype': `${e.code}:http://internal.amazon.com/coral/com.amazonaws.sesv2/`,
      'x-amzn-requestid': requestId,
    },
  };
}

/** How a Query-protocol service (SNS, STS) names a signature problem. */
export function queryAuthError(problem: SigV4Problem, message: string): AwsError {
  switch (problem) {
    case 'missing-auth':
      return { status: 403, code: 'MissingAuthenticationToken', message };
    case 'incomplete':
      return { status: 400, code: 'IncompleteSignature', message };
    case 'unknown-key':
    case 'token-invalid':
      return { status: 403, code: 'InvalidClientTokenId', message };
    case 'token-expired':
      return { status: 403, code: 'ExpiredToken', message };
    case 'content-sha256':
      return { status: 400, code: 'XAmzContentSHA256Mismatch', message };
    case 'scope':
    case 'date-skew':
    case 'signature':
      return { status: 403, code: 'SignatureDoesNotMatch', message };
  }
}

/** How a REST-JSON service (SES v2) names a signature problem. */
export function jsonAuthError(problem: SigV4Problem, message: string): AwsError {
  switch (problem) {
    case 'missing-auth':
      return { status: 403, code: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
    case 'incomplete':
      return { status: 403, code: 'IncompleteSignatureException', message };
    case 'unknown-key':
    case 'token-invalid':
      return { status: 403, code: 'UnrecognizedClientException', message };
    case 'token-expired':
      return { status: 403, code: 'ExpiredTokenException', message };
    case 'content-sha256':
    case 'scope':
    case 'date-skew':
    case 'signature':
      return { status: 403, code: 'InvalidSignatureException', message };
  }
}
