/** Shared helpers of the AWS stand-in tests: XML answers parsed only when well formed, signed calls. */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { expect } from 'vitest';
import { TEST_USER } from '../../kit/receivers/aws/keyring.ts';
import { formBody, signedCall, type AwsTestCredentials, type CallResult } from '../../kit/receivers/aws/signed-request.ts';
import type { FakeClock } from '../../kit/fake-clock.ts';

const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false, trimValues: true });

/** Parses an XML answer after checking it is well formed (a hostile value must not break it). */
export function xml(body: string): any {
  expect(XMLValidator.validate(body), body).toBe(true);
  return parser.parse(body);
}

/** The `Error` of a Query-protocol `ErrorResponse`. */
export function queryErrorOf(r: CallResult): { Type: string; Code: string; Message: string } {
  const doc = xml(r.body);
  expect(doc.ErrorResponse.RequestId).toMatch(/^[0-9a-f-]{36}$/);
  return doc.ErrorResponse.Error;
}

/** A Query-protocol call (form POST to `/`) signed for `service` at the clock's time. */
export function queryCall(
  url: string,
  service: string,
  region: string,
  params: Record<string, string>,
  clock: FakeClock,
  credentials: AwsTestCredentials = TEST_USER,
  over: Partial<Parameters<typeof signedCall>[0]> = {},
): Promise<CallResult> {
  return signedCall({
    url,
    service,
    region,
    credentials,
    date: new Date(clock.now()),
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: formBody(params),
    ...over,
  });
}

/** Characters that break XML, JSON, form encoding or headers when a client forgets to escape them. */
export const HOSTILE = `<tag a="1">&amp; ' " \\ & = + % %zz ; \u00e9\u4e2d\u{1F525} \u2028 </tag>`;
